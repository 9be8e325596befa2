import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import { int } from '#lib/db_helpers'
import { lastDayOfMonth } from '#rating/recurring'
import { divRoundHalfUp, e4ToMinor, parseDecimal } from '#lib/money'

/**
 * Microsoft 365 seats: what the reseller pays for (subscribedSkus prepaidUnits.enabled, read from the
 * connector's stored snapshot — the raw JSON every m365 poll keeps on the drive) against what it bills
 * the customer (licence charges with a price, active on the month's last day), and E5 users whose
 * activity needs no more than E3 (right-size candidates).
 */

interface SnapshotSku {
  skuId: string
  skuPartNumber: string
  prepaidUnits?: { enabled?: number }
  consumedUnits?: number
}

export interface SeatRow {
  connectorId: number
  customerId: number
  customer: string
  account: string
  sku: string
  paid: number
  billed: number
  delta: number
}

export interface RightSizeRow {
  connectorId: number
  customerId: number
  customer: string
  account: string
  upn: string
  sku: string
  activeProducts: string
  savingMinor: number | null
}

/** The products the activity report can show that every E3 seat already has. */
export const E3_LEVEL_PRODUCTS = [
  'Exchange',
  'OneDrive',
  'SharePoint',
  'Skype For Business',
  'Yammer',
  'Teams',
]
export const E5_SKUS = [
  'SPE_E5',
  'ENTERPRISEPREMIUM',
  'ENTERPRISEPREMIUM_NOPSTNCONF',
  'Microsoft_365_E5',
]
export const E3_FOR: Record<string, string> = {
  SPE_E5: 'SPE_E3',
  ENTERPRISEPREMIUM: 'ENTERPRISEPACK',
  ENTERPRISEPREMIUM_NOPSTNCONF: 'ENTERPRISEPACK',
  Microsoft_365_E5: 'SPE_E3',
}

/** The newest snapshot of the connector taken by the month's end (else its oldest after it). */
async function snapshotSkus(connectorId: number, period: string): Promise<SnapshotSku[] | null> {
  const end = `${lastDayOfMonth(period)} 23:59:59`
  const before = await db
    .from('imports')
    .where('connector_id', connectorId)
    .where('format', 'm365')
    .where('created_at', '<=', end)
    .whereNotNull('raw_path')
    .orderBy('id', 'desc')
    .first()
  const row =
    before ??
    (await db
      .from('imports')
      .where('connector_id', connectorId)
      .where('format', 'm365')
      .whereNotNull('raw_path')
      .orderBy('id', 'asc')
      .first())
  if (!row) return null
  try {
    const raw = JSON.parse(await drive.use().get(row.raw_path))
    return Array.isArray(raw.skus) ? raw.skus : null
  } catch {
    return null
  }
}

async function customerOf(connector: { customer_id: number | null }) {
  if (!connector.customer_id) return null
  return db
    .from('customers')
    .where('id', connector.customer_id)
    .select('id', 'name', 'account_number')
    .first()
}

/** Priced licence charges active on the last day of the month, per SKU id (from external_ref "<skuId>:<upn>"). */
async function billedSeats(customerId: number, period: string) {
  const day = lastDayOfMonth(period)
  const charges = await db
    .from('recurring_charges')
    .where('customer_id', customerId)
    .where('origin', 'm365')
    .where('starts_on', '<=', day)
    .where((q) => q.whereNull('ends_on').orWhere('ends_on', '>=', day))
    .where('unit_price_e4', '>', 0)
    .select('external_ref', 'quantity')
  const out = new Map<string, number>()
  for (const c of charges as any[]) {
    const sku = String(c.external_ref ?? '')
      .split(':')[0]
      .toLowerCase()
    out.set(sku, (out.get(sku) ?? 0) + int(c.quantity))
  }
  return out
}

export async function seatDifferences(
  connector: { id: number; type: string; customer_id: number | null },
  period: string
): Promise<SeatRow[]> {
  if (connector.type !== 'm365') return []
  const customer = await customerOf(connector)
  const skus = await snapshotSkus(connector.id, period)
  if (!customer || !skus) return []
  const billed = await billedSeats(int(customer.id), period)
  const rows: SeatRow[] = []
  for (const sku of skus) {
    const paid = int(sku.prepaidUnits?.enabled ?? 0)
    const b = billed.get(String(sku.skuId).toLowerCase()) ?? 0
    if (paid === b) continue
    rows.push({
      connectorId: connector.id,
      customerId: int(customer.id),
      customer: customer.name,
      account: customer.account_number,
      sku: sku.skuPartNumber,
      paid,
      billed: b,
      delta: paid - b,
    })
  }
  return rows.sort((a, b) => a.sku.localeCompare(b.sku))
}

export async function rightSizeCandidates(
  connector: { id: number; type: string; customer_id: number | null; settings: unknown },
  period: string
): Promise<RightSizeRow[]> {
  if (connector.type !== 'm365') return []
  const customer = await customerOf(connector)
  const skus = await snapshotSkus(connector.id, period)
  if (!customer || !skus) return []
  const e5 = new Map(
    skus
      .filter((s) => E5_SKUS.includes(s.skuPartNumber))
      .map((s) => [String(s.skuId).toLowerCase(), s.skuPartNumber])
  )
  if (!e5.size) return []
  const settings =
    typeof connector.settings === 'string'
      ? JSON.parse(connector.settings)
      : ((connector.settings as any) ?? {})
  const price = (part: string) =>
    settings.skuPrices?.[part]
      ? parseDecimal(String(settings.skuPrices[part].price ?? '0'), 4)
      : null
  const day = lastDayOfMonth(period)
  const charges = await db
    .from('recurring_charges')
    .where('customer_id', customer.id)
    .where('origin', 'm365')
    .where('starts_on', '<=', day)
    .where((q) => q.whereNull('ends_on').orWhere('ends_on', '>=', day))
    .select('external_ref', 'quantity')
  const activity = new Map(
    (
      await db
        .from('m365_activity')
        .where('customer_id', customer.id)
        .whereNotNull('last_activity_date')
        .select('upn', 'active_products')
    ).map((a: any) => [String(a.upn).toLowerCase(), String(a.active_products ?? '')])
  )
  const out: RightSizeRow[] = []
  for (const c of charges as any[]) {
    const [skuId, ...rest] = String(c.external_ref ?? '').split(':')
    const part = e5.get(skuId.toLowerCase())
    const upn = rest.join(':').toLowerCase()
    if (!part || !activity.has(upn)) continue
    const products = activity
      .get(upn)!
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
    if (products.some((p) => !E3_LEVEL_PRODUCTS.includes(p))) continue
    const e5Price = price(part)
    const e3Price = price(E3_FOR[part] ?? '')
    const saving =
      e5Price !== null && e3Price !== null
        ? e4ToMinor(divRoundHalfUp((e5Price - e3Price) * int(c.quantity), 1))
        : null
    out.push({
      connectorId: connector.id,
      customerId: int(customer.id),
      customer: customer.name,
      account: customer.account_number,
      upn,
      sku: part,
      activeProducts: products.join(', ') || 'none',
      savingMinor: saving,
    })
  }
  return out.sort((a, b) => a.upn.localeCompare(b.upn))
}
