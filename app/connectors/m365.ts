import { createHash } from 'node:crypto'
import { parse as parseSync } from 'csv-parse/sync'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import Connector from '#models/connector'
import Customer from '#models/customer'
import { normaliseUpn } from '#lib/identifiers'
import { parseDecimal } from '#lib/money'
import type { ConnectorDefinition, PollResult, ProgressFn } from '#connectors/types'
import { ImportFailure } from '#connectors/types'
import { GraphClient } from '#connectors/graph_client'
import { createImportRow, insertUsageRows, processUsage } from '#connectors/import_file'

export interface GraphUser {
  id: string
  userPrincipalName: string
  displayName: string | null
  mail: string | null
  department: string | null
  employeeId: string | null
  accountEnabled?: boolean
  assignedLicenses?: { skuId: string }[]
}

interface Sku {
  skuId: string
  skuPartNumber: string
}

const USER_SELECT =
  'id,userPrincipalName,displayName,mail,department,employeeId,accountEnabled,assignedLicenses'
const PRODUCTS: [string, string][] = [
  ['Exchange Last Activity Date', 'Exchange'],
  ['OneDrive Last Activity Date', 'OneDrive'],
  ['SharePoint Last Activity Date', 'SharePoint'],
  ['Skype For Business Last Activity Date', 'Skype For Business'],
  ['Yammer Last Activity Date', 'Yammer'],
  ['Teams Last Activity Date', 'Teams'],
]

export function graphClientFor(connector: Connector) {
  const s = connector.settings ?? {}
  const c = connector.credentials
  return new GraphClient({
    tenantId: s.tenantId,
    clientId: s.clientId,
    clientSecret: c.clientSecret,
    graphBaseUrl: s.graphBaseUrl || undefined,
    authorityHost: s.authorityHost || undefined,
    maxRetryWaitS: s.maxRetryWaitS ? Number(s.maxRetryWaitS) : undefined,
  })
}

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

function priceOf(
  settings: Record<string, any>,
  part: string
): { price: number; cost: number } | null {
  const entry = settings.skuPrices?.[part]
  if (!entry) return null
  return {
    price: parseDecimal(String(entry.price ?? '0'), 4),
    cost: parseDecimal(String(entry.cost ?? '0'), 4),
  }
}

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
  const settings = connector.settings ?? {}
  const graph = graphClientFor(connector)
  const period = settings.reportPeriod || 'D7'
  const step = (n: number) => onProgress?.(n, 6)

  const users = await graph.getAll<GraphUser>(`/v1.0/users?$select=${USER_SELECT}&$top=999`)
  step(1)
  const skus = await graph.getAll<Sku>('/v1.0/subscribedSkus')
  step(2)
  const activeText = await graph.report('getOffice365ActiveUserDetail', period)
  step(3)
  const mailboxText = await graph.report('getMailboxUsageDetail', period)
  step(4)
  const onedriveText = await graph.report('getOneDriveUsageAccountDetail', period)
  step(5)

  // The snapshot is kept like a file import: raw content on the drive with its SHA-256.
  const raw = JSON.stringify({ users, skus, reports: { activeText, mailboxText, onedriveText } })
  const sha256 = createHash('sha256').update(raw).digest('hex')
  const rawPath = `imports/${sha256}`
  if (!(await drive.use().exists(rawPath))) await drive.use().put(rawPath, raw)
  const imp = {
    id: await createImportRow({
      connector_id: connector.id,
      customer_id: customer.id,
      source_name: `Microsoft 365 snapshot ${DateTime.utc().toFormat('yyyy-MM-dd HH:mm')}`,
      format: 'm365',
      sha256,
      raw_path: rawPath,
      status: 'running',
      started_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'),
      progress_pct: 80,
    }),
  }

  try {
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
    const employees = await sync.syncEmployeesFromM365(customer.id, people)

    const today = DateTime.now().setZone(customer.timeZone).toISODate()!
    const nowSql = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
    const skuById = new Map(skus.map((s) => [s.skuId.toLowerCase(), s]))
    const unpriced = new Set<string>()
    const licences = { started: 0, ended: 0, kept: 0, updated: 0 }
    const activity = { rows: 0, concealed: false }
    const storage = { read: 0, imported: 0, duplicates: 0 }
    const periods = new Set<string>()

    await db.transaction(async (trx) => {
      // Services and their current holders.
      const services = await trx
        .from('services as s')
        .leftJoin('assignments as a', (j) => {
          j.on('a.service_id', 's.id').andOnVal('a.starts_at', '<=', nowSql)
        })
        .where('s.customer_id', customer.id)
        .where('s.kind', 'm365_user')
        .where((q) => q.whereNull('a.ends_at').orWhere('a.ends_at', '>', nowSql))
        .select('s.id', 's.identifier', 'a.employee_id')
      const serviceOf = new Map<string, { id: number; employeeId: number | null }>()
      for (const s of services) {
        serviceOf.set(String(s.identifier).toLowerCase(), {
          id: Number(s.id),
          employeeId: s.employee_id ? Number(s.employee_id) : null,
        })
      }

      // Licences: one recurring charge per user and SKU, ended when the licence goes.
      const wanted = new Map<string, { upn: string; sku: Sku }>()
      for (const u of users) {
        const upn = normaliseUpn(u.userPrincipalName ?? '')
        if (!upn) continue
        for (const l of u.assignedLicenses ?? []) {
          const sku = skuById.get(String(l.skuId).toLowerCase()) ?? {
            skuId: l.skuId,
            skuPartNumber: l.skuId,
          }
          wanted.set(`${String(l.skuId).toLowerCase()}:${upn}`.slice(0, 128), { upn, sku })
        }
      }
      const existing = await trx
        .from('recurring_charges')
        .where('customer_id', customer.id)
        .where('origin', 'm365')
        .where((q) => q.whereNull('ends_on').orWhere('ends_on', '>=', today))
        .select(
          'id',
          'external_ref',
          'employee_id',
          'service_id',
          'unit_price_e4',
          'unit_cost_e4',
          'description',
          'ends_on'
        )
      const open = new Map<string, any>()
      for (const row of existing)
        if (row.ends_on === null) open.set(String(row.external_ref).toLowerCase(), row)

      for (const [ref, { upn, sku }] of wanted) {
        const service = serviceOf.get(upn)
        const prices = priceOf(settings, sku.skuPartNumber)
        if (!prices) unpriced.add(sku.skuPartNumber)
        const names: Record<string, string> = settings.skuNames ?? {}
        const description = (names[sku.skuPartNumber] || sku.skuPartNumber).slice(0, 200)
        const values = {
          employee_id: service?.employeeId ?? null,
          service_id: service?.id ?? null,
          unit_price_e4: prices?.price ?? 0,
          unit_cost_e4: prices?.cost ?? 0,
          description,
        }
        const current = open.get(ref)
        if (current) {
          open.delete(ref)
          const changed =
            Number(current.unit_price_e4) !== values.unit_price_e4 ||
            Number(current.unit_cost_e4) !== values.unit_cost_e4 ||
            (current.employee_id ?? null) !== values.employee_id ||
            (current.service_id ?? null) !== values.service_id ||
            current.description !== values.description
          if (changed) {
            await trx
              .from('recurring_charges')
              .where('id', current.id)
              .update({ ...values, updated_at: nowSql })
            licences.updated++
          } else licences.kept++
          continue
        }
        await trx.table('recurring_charges').insert({
          customer_id: customer.id,
          ...values,
          category: 'licence',
          quantity: 1,
          starts_on: today,
          ends_on: null,
          origin: 'm365',
          external_ref: ref,
          created_at: nowSql,
          updated_at: nowSql,
        })
        licences.started++
      }
      for (const gone of open.values()) {
        await trx
          .from('recurring_charges')
          .where('id', gone.id)
          .update({ ends_on: today, updated_at: nowSql })
        licences.ended++
      }

      // Activity and storage.
      type Act = {
        concealed: boolean
        refresh: string | null
        last: string | null
        products: string[]
        mailbox: number
        onedrive: number
      }
      const acts = new Map<string, Act>()
      const act = (upn: string, concealed: boolean) => {
        let a = acts.get(upn)
        if (!a)
          acts.set(
            upn,
            (a = { concealed, refresh: null, last: null, products: [], mailbox: 0, onedrive: 0 })
          )
        return a
      }
      for (const r of csvRows(activeText)) {
        const { upn, concealed } = reportUpn(r['User Principal Name'])
        if (!upn) continue
        const a = act(upn, concealed)
        a.refresh = isoDate(r['Report Refresh Date'])
        for (const [column, product] of PRODUCTS) {
          const d = isoDate(r[column])
          if (!d) continue
          a.products.push(product)
          if (!a.last || d > a.last) a.last = d
        }
      }
      const storageRows: Record<string, unknown>[] = []
      const source = `connector:${connector.id}`
      const addStorage = (
        upn: string,
        date: string,
        kind: 'mailbox' | 'onedrive',
        bytes: number
      ) => {
        storage.read++
        const occurred = DateTime.fromISO(`${date}T12:00:00`, { zone: 'utc' })
        const p = occurred.setZone(customer.timeZone).toFormat('yyyy-MM')
        periods.add(p)
        const key = `${upn}|${date}|${kind}`
        storageRows.push({
          customer_id: customer.id,
          source,
          dedupe_key: key.length <= 128 ? key : createHash('sha1').update(key).digest('hex'),
          import_id: imp.id,
          identifier: upn.slice(0, 254),
          occurred_at: occurred.toFormat('yyyy-MM-dd HH:mm:ss'),
          period: p,
          category: 'storage',
          destination: null,
          duration_s: 0,
          volume_bytes: bytes,
          quantity: 1,
          description: kind === 'mailbox' ? 'Mailbox storage' : 'OneDrive storage',
          cost_e4: null,
          rating_status: 'pending',
        })
      }
      for (const r of csvRows(mailboxText)) {
        const { upn, concealed } = reportUpn(r['User Principal Name'])
        const date = isoDate(r['Report Refresh Date'])
        if (!upn || !date) continue
        const bytes = Number(r['Storage Used (Byte)'] || 0)
        const a = act(upn, concealed)
        a.refresh ??= date
        a.mailbox = Number.isFinite(bytes) ? bytes : 0
        addStorage(upn, date, 'mailbox', a.mailbox)
      }
      for (const r of csvRows(onedriveText)) {
        const { upn, concealed } = reportUpn(r['Owner Principal Name'])
        const date = isoDate(r['Report Refresh Date'])
        if (!upn || !date) continue
        const bytes = Number(r['Storage Used (Byte)'] || 0)
        const a = act(upn, concealed)
        a.refresh ??= date
        a.onedrive = Number.isFinite(bytes) ? bytes : 0
        addStorage(upn, date, 'onedrive', a.onedrive)
      }
      const activityRows = [...acts.entries()]
        .filter(([, a]) => a.refresh)
        .map(([upn, a]) => ({
          customer_id: customer.id,
          upn: upn.slice(0, 254),
          concealed: a.concealed,
          report_refresh_date: a.refresh,
          last_activity_date: a.last,
          active_products: a.products.join(',').slice(0, 255) || null,
          mailbox_bytes: a.mailbox,
          onedrive_bytes: a.onedrive,
          created_at: nowSql,
          updated_at: nowSql,
        }))
      activity.rows = activityRows.length
      activity.concealed = activityRows.some((a) => a.concealed)
      for (let i = 0; i < activityRows.length; i += 500) {
        await trx
          .knexQuery()
          .table('m365_activity')
          .insert(activityRows.slice(i, i + 500))
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
      const inserted = await insertUsageRows(trx, storageRows)
      storage.imported = inserted.inserted
      storage.duplicates = inserted.duplicates
      await trx.from('imports').where('id', imp.id).update({
        status: 'completed',
        rows_read: storage.read,
        rows_imported: storage.imported,
        rows_duplicate: storage.duplicates,
        progress_pct: 100,
        finished_at: nowSql,
        updated_at: nowSql,
      })
    })
    step(6)
    if (storage.imported > 0) await processUsage(customer.id, [...periods], imp.id)
    // Licence charges started, ended or re-assigned: the insights' monthly figures include them.
    if (licences.started + licences.ended + licences.updated > 0) {
      const { refreshRecurringRollups } = await import('#consolidation/rollups')
      await refreshRecurringRollups(customer.id)
    }

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
    const summary = {
      import_id: imp.id,
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
        retries: graph.retries,
        notes,
      },
    }
  } catch (error) {
    await db
      .from('imports')
      .where('id', imp.id)
      .update({
        status: 'failed',
        error_message: String((error as Error).message).slice(0, 2000),
        finished_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'),
      })
    throw error
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
    const graph = graphClientFor(connector)
    const skus = await graph.getAll<Sku>('/v1.0/subscribedSkus')
    return `token and Graph OK: ${skus.length} subscribed SKUs`
  },
}
