import db from '@adonisjs/lucid/services/db'
import Connector from '#models/connector'
import Customer from '#models/customer'
import { CONNECTOR_TYPES, connectorType } from '#connectors/registry'
import { TRANSPORTS } from '#connectors/transports/index'
import { explainConnectorError } from '#connectors/explain_error'

/** Read models of the connector pages (connectors/index, show, form), imported by the pages as types. */

export type ConnectorView = ReturnType<typeof connectorView>
export type ConnectorFormOptions = Awaited<ReturnType<typeof connectorFormOptions>>

export interface ConnectorImportRow {
  id: number
  source_name: string
  format: string
  status: string
  rows_read: number
  rows_imported: number
  rows_duplicate: number
  rows_rejected: number
  progress_pct: number
  error_message: string | null
  created_at: string
}

export type ConnectorsIndexProps = { connectors: ConnectorView[] }

export interface ConnectorShowProps {
  connector: ConnectorView
  imports: ConnectorImportRow[]
  lastRun: ConnectorLastRun
  concealed: boolean
  typeLabel: string
}

/**
 * The show page's props as served: the connector, its imports and its last run are functions, so
 * the page's reloads of them alone (`only`, while a poll runs) compute nothing else.
 */
export type ConnectorShowServed = Omit<ConnectorShowProps, 'connector' | 'imports' | 'lastRun'> & {
  connector: () => ConnectorView
  imports: () => ConnectorImportRow[]
  lastRun: () => Promise<ConnectorLastRun>
}

/**
 * The connector form. A type with its keys spelled out: an interface is no `Record<string, unknown>`
 * (page_props_check would not see the render), and the Vue compiler cannot list the keys of
 * `ConnectorFormOptions` (a ReturnType) when it compiles `defineProps`.
 */
export type ConnectorFormProps = {
  /** null: a new connector. */
  connector: ConnectorView | null
  types: ConnectorFormOptions['types']
  transports: ConnectorFormOptions['transports']
  customers: ConnectorFormOptions['customers']
}

/** A connector with its customer, or E_ROW_NOT_FOUND (404). */
const findConnector = (id: number) =>
  Connector.query().where('id', id).preload('customer').firstOrFail()

export async function connectorsIndexProps(): Promise<ConnectorsIndexProps> {
  const connectors = await Connector.query().preload('customer').orderBy('name')
  return { connectors: connectors.map(connectorView) }
}

export async function connectorShowProps(id: number): Promise<ConnectorShowServed> {
  const connector = await findConnector(id)
  const imports = await connectorImports(connector.id)
  return {
    connector: () => connectorView(connector),
    imports: () => imports,
    lastRun: async () => lastResult(connector.id),
    concealed: await reportsConcealed(connector),
    typeLabel: connectorTypeLabel(connector.type),
  }
}

/** The connector form: a new connector (`id` null) or the one to edit. */
export async function connectorFormProps(id: number | null): Promise<ConnectorFormProps> {
  return {
    connector: id === null ? null : connectorView(await findConnector(id)),
    ...(await connectorFormOptions()),
  }
}

/** What the browser may see of a connector: never its credentials, only which ones are set. */
export function connectorView(c: Connector) {
  let credentialKeys: string[] = []
  try {
    credentialKeys = Object.entries(c.credentials)
      .filter(([, v]) => v)
      .map(([k]) => k)
  } catch {
    credentialKeys = []
  }
  // The model types them loosely; the pages read them as unknown values.
  const settings: Record<string, unknown> = c.settings ?? {}
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    transport: c.transport,
    customerId: c.customerId,
    customerName: c.customer?.name ?? null,
    settings,
    credentialKeys,
    schedule: c.schedule,
    enabled: c.enabled,
    lastPolledAt: c.lastPolledAt?.toISO() ?? null,
    lastStatus: c.lastStatus,
    lastError: c.lastError
      ? explainConnectorError(new Error(c.lastError), {
          host: c.settings?.host,
          port: c.settings?.port,
          path: c.settings?.path,
          url: c.settings?.url,
        })
      : null,
  }
}

export const connectorFormOptions = async () => ({
  types: CONNECTOR_TYPES.map((t) => ({
    type: t.type,
    label: t.label,
    transports: t.transports,
    settings: t.settings,
    credentials: t.credentials ?? [],
  })),
  transports: TRANSPORTS,
  customers: (await Customer.query().orderBy('name').select('id', 'name', 'account_number')).map(
    (c) => ({ id: c.id, name: c.name, accountNumber: c.accountNumber })
  ),
})

/** The connector's last 20 imports, newest first. */
export async function connectorImports(connectorId: number): Promise<ConnectorImportRow[]> {
  return db
    .from('imports')
    .where('connector_id', connectorId)
    .orderBy('id', 'desc')
    .limit(20)
    .select(
      'id',
      'source_name',
      'format',
      'status',
      'rows_read',
      'rows_imported',
      'rows_duplicate',
      'rows_rejected',
      'progress_pct',
      'error_message',
      'created_at'
    )
}

/** Whether Microsoft 365 reports for the connector's customer come with concealed user names. */
export async function reportsConcealed(connector: Connector): Promise<boolean> {
  if (connector.type !== 'm365' || !connector.customerId) return false
  return Boolean(
    await db
      .from('m365_activity')
      .where('customer_id', connector.customerId)
      .where('concealed', true)
      .first()
  )
}

export const connectorTypeLabel = (type: string) => connectorType(type).label

/** What a poll recorded in its job run: the connector, a message for people, the snapshot's notes. */
export type ConnectorRunDetail = {
  connectorId?: number
  message?: string
  snapshot?: { notes?: string[] }
}

/** The connector's last poll; null before the first. Times are ISO. */
export type ConnectorLastRun = {
  id: number
  status: string
  startedAt: string | null
  finishedAt: string | null
  error: string | null
  detail: ConnectorRunDetail | null
} | null

const timeOf = (v: unknown) =>
  v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v)

function runDetail(text: unknown): ConnectorRunDetail | null {
  if (typeof text !== 'string' || !text) return null
  try {
    const parsed: unknown = JSON.parse(text)
    return parsed && typeof parsed === 'object' ? (parsed as ConnectorRunDetail) : null
  } catch {
    return null
  }
}

export async function lastResult(connectorId: number): Promise<ConnectorLastRun> {
  const run = await db
    .from('job_runs')
    .where('job', 'connectors:poll')
    .whereRaw('(detail like ? or detail = ?)', [
      `{"connectorId":${connectorId},%`,
      `{"connectorId":${connectorId}}`,
    ])
    .orderBy('id', 'desc')
    .first()
  if (!run) return null
  return {
    id: Number(run.id),
    status: String(run.status),
    startedAt: timeOf(run.started_at),
    finishedAt: timeOf(run.finished_at),
    error: run.error === null || run.error === undefined ? null : String(run.error),
    detail: runDetail(run.detail),
  }
}
