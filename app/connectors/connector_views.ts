import db from '@adonisjs/lucid/services/db'
import Connector from '#models/connector'
import Customer from '#models/customer'
import { CONNECTOR_TYPES, connectorType } from '#connectors/registry'
import { TRANSPORTS } from '#connectors/transports/index'
import { explainConnectorError } from '#connectors/explain_error'

/** Read models of the connector pages (connectors/index, show, form), imported by the pages as types. */

export type ConnectorView = ReturnType<typeof connectorView>
export type ConnectorFormOptions = Awaited<ReturnType<typeof connectorFormOptions>>
export type ConnectorLastRun = Awaited<ReturnType<typeof lastResult>>

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

export interface ConnectorShowProps {
  connector: ConnectorView
  imports: ConnectorImportRow[]
  lastRun: ConnectorLastRun
  concealed: boolean
  typeLabel: string
}

export interface ConnectorFormProps extends ConnectorFormOptions {
  connector: ConnectorView | null
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
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    transport: c.transport,
    customerId: c.customerId,
    customerName: c.customer?.name ?? null,
    settings: c.settings ?? {},
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

export async function lastResult(connectorId: number) {
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
  let detail: any = null
  try {
    detail = run.detail ? JSON.parse(run.detail) : null
  } catch {}
  return {
    id: run.id,
    status: run.status,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    error: run.error,
    detail,
  }
}
