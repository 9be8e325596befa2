import { createHash } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import drive from '@adonisjs/drive/services/main'
import type Connector from '#models/connector'
import Customer from '#models/customer'
import { normaliseUpn } from '#lib/identifiers'
import type { ConnectorDefinition, PollResult, ProgressFn } from '#connectors/types'
import { ImportFailure } from '#connectors/types'
import { createImportRow, processUsage } from '#connectors/import_file'
import {
  graphClientFor,
  readSnapshot,
  subscribedSkus,
  type GraphUser,
  type M365Snapshot,
} from '#connectors/m365_graph'
import { syncLicenceCharges, type LicenceCounts } from '#connectors/m365_licences'
import { storeReports, type ActivityCounts, type StorageCounts } from '#connectors/m365_reports'

export { graphClientFor, type GraphUser }

/** What applying a snapshot changed, for the refresh after it and the poll result. */
type SnapshotOutcome = {
  licences: LicenceCounts
  unpriced: Set<string>
  activity: ActivityCounts
  storage: StorageCounts
  periods: string[]
}
type EmployeeCounts = { created: number; matched: number }

const utcNowSql = () => DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')

/**
 * One Microsoft 365 snapshot: users → employees and m365_user services, licences →
 * recurring charges (ended when removed), activity and storage reports → m365_activity
 * and storage usage records.
 */
export async function m365Snapshot(
  connector: Connector,
  onProgress?: ProgressFn
): Promise<PollResult> {
  if (!connector.customerId) throw new ImportFailure('a Microsoft 365 connector needs a customer')
  const customer = await Customer.findOrFail(connector.customerId)
  const graph = graphClientFor(connector)
  const period = connector.settings?.reportPeriod || 'D7'
  const step = (n: number) => onProgress?.(n, 6)

  const snapshot = await readSnapshot(graph, period, step)
  const importId = await keepSnapshot(connector, customer, snapshot)
  try {
    const employees = await syncPeople(customer.id, snapshot.users)
    const outcome = await applySnapshot(connector, customer, snapshot, importId)
    step(6)
    await refreshAfterSnapshot(customer.id, outcome, importId)
    return pollResultOf(snapshot, employees, outcome, importId, graph.retries)
  } catch (error) {
    await db
      .from('imports')
      .where('id', importId)
      .update({
        status: 'failed',
        error_message: String((error as Error).message).slice(0, 2000),
        finished_at: utcNowSql(),
      })
    throw error
  }
}

/** The snapshot is kept like a file import: raw content on the drive with its SHA-256. */
async function keepSnapshot(connector: Connector, customer: Customer, snapshot: M365Snapshot) {
  const { users, skus, reports } = snapshot
  const { activeText, mailboxText, onedriveText } = reports
  const raw = JSON.stringify({ users, skus, reports: { activeText, mailboxText, onedriveText } })
  const sha256 = createHash('sha256').update(raw).digest('hex')
  const rawPath = `imports/${sha256}`
  if (!(await drive.use().exists(rawPath))) await drive.use().put(rawPath, raw)
  return createImportRow({
    connector_id: connector.id,
    customer_id: customer.id,
    source_name: `Microsoft 365 snapshot ${DateTime.utc().toFormat('yyyy-MM-dd HH:mm')}`,
    format: 'm365',
    sha256,
    raw_path: rawPath,
    status: 'running',
    started_at: utcNowSql(),
    progress_pct: 80,
  })
}

/** The Graph users as employees of the customer, each holding their UPN as a service. */
async function syncPeople(customerId: number, users: GraphUser[]): Promise<EmployeeCounts> {
  const sync = await import('#consolidation/m365_employee_sync')
  const people = users
    .filter((u) => u.userPrincipalName)
    .map((u) => ({
      upn: normaliseUpn(u.userPrincipalName),
      displayName: u.displayName ?? null,
      mail: u.mail ?? null,
      department: u.department ?? null,
      employeeId: u.employeeId ?? null,
    }))
  return sync.syncEmployeesFromM365(customerId, people)
}

/** Licence charges, activity and storage records of the snapshot, and its import completed, in one transaction. */
async function applySnapshot(
  connector: Connector,
  customer: Customer,
  snapshot: M365Snapshot,
  importId: number
): Promise<SnapshotOutcome> {
  const today = DateTime.now().setZone(customer.timeZone).toISODate()!
  const nowSql = utcNowSql()
  const settings = connector.settings ?? {}
  return db.transaction(async (trx) => {
    const { licences, unpriced } = await syncLicenceCharges(
      trx,
      { customerId: customer.id, settings, today, nowSql },
      snapshot.users,
      snapshot.skus
    )
    const { activity, storage, periods } = await storeReports(trx, snapshot.reports, {
      customerId: customer.id,
      timeZone: customer.timeZone,
      connectorId: connector.id,
      importId,
      nowSql,
    })
    await completeImport(trx, importId, storage, nowSql)
    return { licences, unpriced, activity, storage, periods }
  })
}

async function completeImport(
  trx: TransactionClientContract,
  importId: number,
  storage: StorageCounts,
  nowSql: string
) {
  await trx.from('imports').where('id', importId).update({
    status: 'completed',
    rows_read: storage.read,
    rows_imported: storage.imported,
    rows_duplicate: storage.duplicates,
    progress_pct: 100,
    finished_at: nowSql,
    updated_at: nowSql,
  })
}

async function refreshAfterSnapshot(
  customerId: number,
  outcome: SnapshotOutcome,
  importId: number
) {
  const { storage, licences } = outcome
  if (storage.imported > 0) await processUsage(customerId, outcome.periods, importId)
  // Licence charges started, ended or re-assigned: the insights' monthly figures include them.
  if (licences.started + licences.ended + licences.updated > 0) {
    const { refreshRecurringRollups } = await import('#consolidation/rollups')
    await refreshRecurringRollups(customerId)
  }
}

function notesOf({ activity, unpriced }: SnapshotOutcome) {
  const notes: string[] = []
  if (activity.concealed) {
    notes.push(
      'Usage reports conceal user names (hashed UPNs): activity cannot be matched to people until "Display concealed user names" is turned off in the Microsoft 365 admin centre (Settings → Org settings → Reports).'
    )
  }
  if (unpriced.size)
    notes.push(
      `No price set for ${[...unpriced].sort().join(', ')}: charged at 0 until skuPrices has them.`
    )
  return notes
}

function pollResultOf(
  { users, skus }: M365Snapshot,
  employees: EmployeeCounts,
  outcome: SnapshotOutcome,
  importId: number,
  retries: { url: string; waitS: number }[]
): PollResult {
  const { licences, activity, storage, unpriced } = outcome
  const notes = notesOf(outcome)
  const summary = {
    import_id: importId,
    status: 'completed' as const,
    read: storage.read,
    imported: storage.imported,
    duplicates: storage.duplicates,
    rejected: 0,
    errors: [],
  }
  return {
    status: 'ok',
    message: `${users.length} users (${employees.created} new employees), licences +${licences.started} −${licences.ended}, ${activity.rows} activity rows, ${storage.imported} storage records${notes.length ? '. ' + notes.join(' ') : ''}`,
    imports: [summary],
    detail: {
      users: users.length,
      skus: skus.length,
      employees,
      licences,
      activity,
      storage,
      concealed: activity.concealed,
      unpricedSkus: [...unpriced].sort(),
      retries,
      notes,
    },
  }
}

export const m365Connector: ConnectorDefinition = {
  type: 'm365',
  label: 'Microsoft 365 (Graph)',
  transports: ['graph'],
  settings: [
    { key: 'tenantId', label: 'Tenant ID' },
    { key: 'clientId', label: 'Application (client) ID' },
    { key: 'graphBaseUrl', label: 'Graph base URL', help: 'Default https://graph.microsoft.com' },
    {
      key: 'authorityHost',
      label: 'Token authority host',
      help: 'Default https://login.microsoftonline.com',
    },
    { key: 'reportPeriod', label: 'Report period', help: 'D7, D30, D90 or D180 (default D7)' },
    {
      key: 'skuPrices',
      label: 'Licence prices',
      type: 'json',
      help: '{"SPE_E3": {"price": "32.00", "cost": "27.50"}}',
    },
    {
      key: 'skuNames',
      label: 'Licence names',
      type: 'json',
      help: '{"SPE_E3": "Microsoft 365 E3"}',
    },
  ],
  credentials: [{ key: 'clientSecret', label: 'Client secret' }],
  snapshot: m365Snapshot,
  async test(connector: Connector) {
    const skus = await subscribedSkus(graphClientFor(connector))
    return `token and Graph OK: ${skus.length} subscribed SKUs`
  },
}
