import Connector from '#models/connector'
import { connectorType } from '#connectors/registry'
import { transportFor } from '#connectors/transports/index'
import { explainConnectorError } from '#connectors/explain_error'

/**
 * "Test" on the connector form: reaches the far end with the settings as typed, before anything is
 * saved. Credentials left blank on an existing connector are the stored ones (the form never shows
 * them). Nothing is imported, moved or written.
 */

export interface ConnectionTestInput {
  type: string
  transport: string
  customerId?: number | null
  settings?: Record<string, any>
  credentials?: Record<string, string | null | undefined>
}

export interface ConnectionTestResult {
  ok: boolean
  message: string
  /** technical text of a failure; null on success */
  detail: string | null
}

function unsaved(input: ConnectionTestInput, stored: Connector | null) {
  const connector = new Connector()
  const settings: Record<string, any> = {}
  for (const [k, v] of Object.entries(input.settings ?? {}))
    if (v !== '' && v !== null && v !== undefined) settings[k] = v
  const credentials: Record<string, string> = { ...(stored?.credentials ?? {}) }
  for (const [k, v] of Object.entries(input.credentials ?? {}))
    if (typeof v === 'string' && v !== '') credentials[k] = v
  connector.merge({
    id: stored?.id,
    name: stored?.name ?? 'test',
    type: input.type,
    transport: input.transport,
    customerId: input.customerId ?? stored?.customerId ?? null,
    settings,
    enabled: true,
  })
  connector.credentials = credentials
  return connector
}

export async function testConnectionOf(connector: Connector): Promise<ConnectionTestResult> {
  const s = connector.settings ?? {}
  try {
    const def = connectorType(connector.type)
    if (def.test) return { ok: true, message: await def.test(connector), detail: null }
    const transport = transportFor(connector)
    try {
      return { ok: true, message: await transport.test(), detail: null }
    } finally {
      await transport.close()
    }
  } catch (error) {
    const explained = explainConnectorError(error, {
      host: s.host ?? s.graphBaseUrl ?? null,
      port: s.port ?? (connector.transport === 'sftp' ? 22 : null),
      path: s.path ?? null,
      url: s.url ?? null,
    })
    return { ok: false, ...explained }
  }
}

/** Tests the form's values; `storedId` is the connector being edited, for its stored credentials. */
export async function testConnection(
  input: ConnectionTestInput,
  storedId: number | null = null
): Promise<ConnectionTestResult> {
  const stored = storedId ? await Connector.find(storedId) : null
  return testConnectionOf(unsaved(input, stored))
}
