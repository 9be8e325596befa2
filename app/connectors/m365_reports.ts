import { createHash } from 'node:crypto'
import { parse as parseSync } from 'csv-parse/sync'
import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { normaliseUpn } from '#lib/identifiers'
import { insertUsageRows } from '#connectors/import_file'
import type { M365Reports } from '#connectors/m365_graph'

const PRODUCTS: [string, string][] = [
  ['Exchange Last Activity Date', 'Exchange'],
  ['OneDrive Last Activity Date', 'OneDrive'],
  ['SharePoint Last Activity Date', 'SharePoint'],
  ['Skype For Business Last Activity Date', 'Skype For Business'],
  ['Yammer Last Activity Date', 'Yammer'],
  ['Teams Last Activity Date', 'Teams'],
]

/** Whose reports these are and which import their storage records belong to. */
export type ReportTarget = {
  customerId: number
  timeZone: string
  connectorId: number
  importId: number
  nowSql: string
}

export type ActivityCounts = { rows: number; concealed: boolean }
export type StorageCounts = { read: number; imported: number; duplicates: number }

/** What one user did and stored, merged from the three reports. */
type UserActivity = {
  concealed: boolean
  refresh: string | null
  last: string | null
  products: string[]
  mailbox: number
  onedrive: number
}
type ActivityOf = (upn: string, concealed: boolean) => UserActivity
type StorageKind = 'mailbox' | 'onedrive'
type StorageReading = { upn: string; date: string; kind: StorageKind; bytes: number }

/** A report row's UPN: concealed reports carry a hash with no "@". */
function reportUpn(raw: string | undefined) {
  const text = (raw ?? '').trim()
  return { upn: normaliseUpn(text), concealed: text !== '' && !text.includes('@') }
}

function csvRows(text: string): Record<string, string>[] {
  if (!text.trim()) return []
  return parseSync(text, {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
  })
}

const isoDate = (v: string | undefined) =>
  v && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null

/**
 * Activity and storage: one m365_activity row per user (upserted) and one storage usage record
 * per user, report date and kind (deduplicated like any import). Returns the counts and the
 * periods the new records fall in.
 */
export async function storeReports(
  trx: TransactionClientContract,
  reports: M365Reports,
  target: ReportTarget
): Promise<{ activity: ActivityCounts; storage: StorageCounts; periods: string[] }> {
  const activities = new Map<string, UserActivity>()
  const activityOf: ActivityOf = (upn, concealed) => {
    let a = activities.get(upn)
    if (!a)
      activities.set(
        upn,
        (a = { concealed, refresh: null, last: null, products: [], mailbox: 0, onedrive: 0 })
      )
    return a
  }
  readActiveUsers(reports.activeText, activityOf)
  const readings = [
    ...readStorage(reports.mailboxText, 'User Principal Name', 'mailbox', activityOf),
    ...readStorage(reports.onedriveText, 'Owner Principal Name', 'onedrive', activityOf),
  ]
  const storageRows = readings.map((reading) => storageRecord(reading, target))
  const activityRows = activityRowsOf(activities, target)
  await upsertActivity(trx, activityRows)
  const inserted = await insertUsageRows(trx, storageRows)
  return {
    activity: { rows: activityRows.length, concealed: activityRows.some((a) => a.concealed) },
    storage: {
      read: readings.length,
      imported: inserted.inserted,
      duplicates: inserted.duplicates,
    },
    periods: [...new Set(storageRows.map((r) => r.period))],
  }
}

/** The report date, last activity and products used, from the active-user report. */
function readActiveUsers(text: string, activityOf: ActivityOf) {
  for (const r of csvRows(text)) {
    const { upn, concealed } = reportUpn(r['User Principal Name'])
    if (!upn) continue
    const a = activityOf(upn, concealed)
    a.refresh = isoDate(r['Report Refresh Date'])
    for (const [column, product] of PRODUCTS) {
      const d = isoDate(r[column])
      if (!d) continue
      a.products.push(product)
      if (!a.last || d > a.last) a.last = d
    }
  }
}

/** Bytes stored per user on the report date, from the mailbox or the OneDrive usage report. */
function readStorage(
  text: string,
  upnColumn: string,
  kind: StorageKind,
  activityOf: ActivityOf
): StorageReading[] {
  const readings: StorageReading[] = []
  for (const r of csvRows(text)) {
    const { upn, concealed } = reportUpn(r[upnColumn])
    const date = isoDate(r['Report Refresh Date'])
    if (!upn || !date) continue
    const bytes = Number(r['Storage Used (Byte)'] || 0)
    const a = activityOf(upn, concealed)
    a.refresh ??= date
    a[kind] = Number.isFinite(bytes) ? bytes : 0
    readings.push({ upn, date, kind, bytes: a[kind] })
  }
  return readings
}

function storageRecord({ upn, date, kind, bytes }: StorageReading, target: ReportTarget) {
  const occurred = DateTime.fromISO(`${date}T12:00:00`, { zone: 'utc' })
  const period = occurred.setZone(target.timeZone).toFormat('yyyy-MM')
  const key = `${upn}|${date}|${kind}`
  return {
    customer_id: target.customerId,
    source: `connector:${target.connectorId}`,
    dedupe_key: key.length <= 128 ? key : createHash('sha1').update(key).digest('hex'),
    import_id: target.importId,
    identifier: upn.slice(0, 254),
    occurred_at: occurred.toFormat('yyyy-MM-dd HH:mm:ss'),
    period,
    category: 'storage',
    destination: null,
    duration_s: 0,
    volume_bytes: bytes,
    quantity: 1,
    description: kind === 'mailbox' ? 'Mailbox storage' : 'OneDrive storage',
    cost_e4: null,
    rating_status: 'pending',
  }
}

/** One row per user the reports dated (a user with no report date has nothing to show). */
function activityRowsOf(activities: Map<string, UserActivity>, target: ReportTarget) {
  return [...activities.entries()]
    .filter(([, a]) => a.refresh)
    .map(([upn, a]) => ({
      customer_id: target.customerId,
      upn: upn.slice(0, 254),
      concealed: a.concealed,
      report_refresh_date: a.refresh,
      last_activity_date: a.last,
      active_products: a.products.join(',').slice(0, 255) || null,
      mailbox_bytes: a.mailbox,
      onedrive_bytes: a.onedrive,
      created_at: target.nowSql,
      updated_at: target.nowSql,
    }))
}

async function upsertActivity(
  trx: TransactionClientContract,
  rows: ReturnType<typeof activityRowsOf>
) {
  for (let i = 0; i < rows.length; i += 500) {
    await trx
      .knexQuery()
      .table('m365_activity')
      .insert(rows.slice(i, i + 500))
      .onConflict(['customer_id', 'upn'])
      .merge([
        'concealed',
        'report_refresh_date',
        'last_activity_date',
        'active_products',
        'mailbox_bytes',
        'onedrive_bytes',
        'updated_at',
      ])
  }
}
