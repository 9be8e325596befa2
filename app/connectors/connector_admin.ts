import db from '@adonisjs/lucid/services/db'
import Connector from '#models/connector'
import { audit } from '#lib/audit'
import { connectorType } from '#connectors/registry'
import { httpsUrlProblem, parseCaCertificates } from '#connectors/transports/https'
import { folderPathProblem } from '#connectors/transports/folder'
import { pollInBackground, scheduleIntervalMs } from '#connectors/poll_connector'

/** The one write path for connectors (admin UI and API): checks, transaction, audit without credentials. */

export interface ConnectorInput {
  name: string
  type: string
  transport: string
  customerId?: number | null
  schedule?: string | null
  enabled?: boolean
  settings?: Record<string, any>
  /** Write-only: blank fields keep the stored value. */
  credentials?: Record<string, string | null | undefined>
}

/** The form's problems by field name ('settings.path', 'transport', …); empty when the input can be saved. */
export class ConnectorInputError extends Error {
  constructor(readonly errors: Record<string, string>) {
    super(Object.values(errors).join('; '))
  }
}

function checkInput(input: ConnectorInput, stored: Record<string, string>) {
  const errors: Record<string, string> = {}
  if (input.transport === 'folder') {
    const problem = folderPathProblem(input.settings?.path)
    if (problem) errors['settings.path'] = problem
  }
  if (input.transport === 'https') {
    const credentials = {
      ...stored,
      ...Object.fromEntries(Object.entries(input.credentials ?? {}).filter(([, v]) => v)),
    }
    const problem = httpsUrlProblem(input.settings?.url, input.settings?.auth, credentials)
    if (problem) errors['settings.url'] = problem
  }
  const def = connectorType(input.type)
  if (!def.transports.includes(input.transport))
    errors.transport = `${def.label} works with: ${def.transports.join(', ')}`
  if (input.schedule && !scheduleIntervalMs(input.schedule))
    errors.schedule = 'use e.g. "15m", "1h", "1d", "every 30 minutes", "hourly" or "daily"'
  // A file connector without a customer serves all customers (each record is routed); an API snapshot is one customer's.
  if (!input.customerId && !def.createParser)
    errors.customerId = 'choose the customer this connector bills'
  const ca = input.settings?.caCertificate
  if (input.transport === 'https' && ca) {
    try {
      parseCaCertificates(String(ca))
    } catch (error) {
      errors['settings.caCertificate'] = (error as Error).message
    }
  }
  return errors
}

function mergedValues(input: ConnectorInput, connector: Connector) {
  const settings: Record<string, any> = {}
  for (const [k, v] of Object.entries(input.settings ?? {})) {
    if (v === '' || v === null || v === undefined) continue
    settings[k] = v
  }
  const credentials = connector.id ? { ...connector.credentials } : {}
  for (const [k, v] of Object.entries(input.credentials ?? {})) {
    if (typeof v === 'string' && v !== '') credentials[k] = v
  }
  return { settings, credentials }
}

/** Creates (no `connector`) or updates a connector; throws ConnectorInputError naming the fields. */
export async function saveConnector(
  input: ConnectorInput,
  userId: number | null,
  connector = new Connector()
): Promise<Connector> {
  const errors = checkInput(input, connector.id ? connector.credentials : {})
  if (Object.keys(errors).length) throw new ConnectorInputError(errors)
  const creating = !connector.id
  const { settings, credentials } = mergedValues(input, connector)
  connector.merge({
    name: input.name,
    type: input.type,
    transport: input.transport,
    customerId: input.customerId ?? null,
    schedule: input.schedule || null,
    enabled: input.enabled ?? true,
    settings,
  })
  connector.credentials = credentials
  await db.transaction(async (trx) => {
    connector.useTransaction(trx)
    await connector.save()
    await audit(
      {
        userId,
        action: creating ? 'connector.created' : 'connector.updated',
        subjectType: 'connector',
        subjectId: connector.id,
        // Settings only: credentials never reach the audit log.
        changes: {
          name: connector.name,
          type: connector.type,
          transport: connector.transport,
          customerId: connector.customerId,
          schedule: connector.schedule,
          enabled: connector.enabled,
          settings,
          credentialsChanged: Object.keys(input.credentials ?? {}).filter(
            (k) => input.credentials![k]
          ),
        },
      },
      trx
    )
  })
  return connector
}

export async function deleteConnector(connector: Connector, userId: number | null): Promise<void> {
  await db.transaction(async (trx) => {
    connector.useTransaction(trx)
    await connector.delete()
    await audit(
      {
        userId,
        action: 'connector.deleted',
        subjectType: 'connector',
        subjectId: connector.id,
        changes: { name: connector.name },
      },
      trx
    )
  })
}

/** Starts a poll in the background (audited); false when one is already running. */
export async function startPoll(connector: Connector, userId: number | null): Promise<boolean> {
  if (connector.lastStatus === 'running') return false
  await audit({
    userId,
    action: 'connector.run',
    subjectType: 'connector',
    subjectId: connector.id,
  })
  pollInBackground(connector.id)
  return true
}
