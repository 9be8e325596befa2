import db from '@adonisjs/lucid/services/db'
import { e4ToMinor } from '#lib/money'
import { int } from '#lib/db_helpers'
import { lastDayOfMonth, recurringForMonth } from '#rating/recurring'

/**
 * The three-way figures of one supplier (connector) and month, from its imported records (usage_records
 * joined to their import's connector) and, for a Microsoft 365 connector, the licence charges it made:
 * imported cost, rated sell, billed (on finalized invoices), and the record-level differences.
 * Sums are exact in e4 and rounded to pence once, half-up.
 */

export interface ServiceRow {
  customerId: number
  customer: string
  account: string
  identifier: string
  records: number
  costMinor: number
  sellMinor: number
  billedMinor: number
}

export interface SupplierFigures {
  connectorId: number
  importedCostMinor: number
  ratedSellMinor: number
  billedMinor: number
  records: number
  costNoPrice: ServiceRow[]
  leakage: ServiceRow[]
  billedNoCost: ServiceRow[]
}

/** Records of a connector's imports for a period. */
function recordsOf(connectorId: number, period: string) {
  return db
    .from('usage_records as r')
    .join('imports as i', 'i.id', 'r.import_id')
    .where('i.connector_id', connectorId)
    .where('r.period', period)
}

/** Per (customer, identifier): cost, rated sell, billed sell, and whether the customer's month is invoiced. */
async function serviceRows(connectorId: number, period: string) {
  const rows = await recordsOf(connectorId, period)
    .join('customers as c', 'c.id', 'r.customer_id')
    .leftJoin('invoices as inv', (j) =>
      j.on('inv.id', 'r.invoice_id').andOnVal('inv.status', 'finalized')
    )
    .groupBy('r.customer_id', 'c.name', 'c.account_number', 'r.identifier')
    .select('r.customer_id', 'c.name', 'c.account_number', 'r.identifier')
    .count('* as n')
    .select(db.raw('SUM(COALESCE(r.cost_e4, 0)) as cost'))
    .select(db.raw('SUM(CASE WHEN r.cost_e4 IS NULL THEN 0 ELSE 1 END) as with_cost'))
    .select(
      db.raw(
        `SUM(CASE WHEN r.rating_status IN ('rated', 'markup') THEN COALESCE(r.price_e4, 0) ELSE 0 END) as sell`
      )
    )
    .select(
      db.raw('SUM(CASE WHEN inv.id IS NOT NULL THEN COALESCE(r.price_e4, 0) ELSE 0 END) as billed')
    )
    .select(
      db.raw(
        `SUM(CASE WHEN COALESCE(r.cost_e4, 0) > 0 AND (r.price_e4 IS NULL OR r.rating_status NOT IN ('rated', 'markup')) THEN 1 ELSE 0 END) as no_price`
      )
    )
    .orderBy('c.account_number')
    .orderBy('r.identifier')
  const invoiced = new Set(
    (
      await db
        .from('invoices')
        .where('period', period)
        .where('status', 'finalized')
        .select('customer_id')
    ).map((r: any) => int(r.customer_id))
  )
  return rows.map((r: any) => ({
    customerId: int(r.customer_id),
    customer: String(r.name),
    account: String(r.account_number),
    identifier: String(r.identifier),
    records: int(r.n),
    costE4: int(r.cost),
    withCost: int(r.with_cost),
    sellE4: int(r.sell),
    billedE4: int(r.billed),
    noPrice: int(r.no_price),
    invoiced: invoiced.has(int(r.customer_id)),
  }))
}

const toRow = (r: Awaited<ReturnType<typeof serviceRows>>[number]): ServiceRow => ({
  customerId: r.customerId,
  customer: r.customer,
  account: r.account,
  identifier: r.identifier,
  records: r.records,
  costMinor: e4ToMinor(r.costE4),
  sellMinor: e4ToMinor(r.sellE4),
  billedMinor: e4ToMinor(r.billedE4),
})

/** Licence charges a Microsoft 365 connector keeps for its customer: cost and billed for the month. */
async function licenceFigures(
  connector: { id: number; type: string; customer_id: number | null },
  period: string
) {
  if (connector.type !== 'm365' || !connector.customer_id)
    return { costE4: 0, sellE4: 0, billedE4: 0 }
  const charges = await db
    .from('recurring_charges')
    .where('customer_id', connector.customer_id)
    .where('origin', 'm365')
    .where('starts_on', '<=', lastDayOfMonth(period))
    .where((q) => q.whereNull('ends_on').orWhere('ends_on', '>=', `${period}-01`))
    .select('id', 'quantity', 'unit_price_e4', 'unit_cost_e4', 'starts_on', 'ends_on')
  let costE4 = 0
  let sellE4 = 0
  for (const c of charges as any[]) {
    const shape = { quantity: int(c.quantity), startsOn: c.starts_on, endsOn: c.ends_on }
    costE4 += recurringForMonth({ ...shape, unitPriceE4: int(c.unit_cost_e4) }, period).amountE4
    sellE4 += recurringForMonth({ ...shape, unitPriceE4: int(c.unit_price_e4) }, period).amountE4
  }
  const billed = charges.length
    ? await db
        .from('invoice_lines as l')
        .join('invoices as inv', 'inv.id', 'l.invoice_id')
        .where('inv.status', 'finalized')
        .whereIn(
          'l.recurring_charge_id',
          charges.map((c: any) => int(c.id))
        )
        .where('l.recurring_month', period)
        .sum('l.amount_minor as minor')
        .first()
    : null
  // Invoice lines are in pence already: carried as e4 so the one rounding below leaves them exact.
  return { costE4, sellE4, billedE4: int(billed?.minor) * 100 }
}

export async function supplierFigures(
  connector: { id: number; type: string; customer_id: number | null },
  period: string
): Promise<SupplierFigures> {
  const rows = await serviceRows(connector.id, period)
  const licences = await licenceFigures(connector, period)
  const carriesCost = rows.some((r) => r.withCost > 0)
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0)
  return {
    connectorId: connector.id,
    importedCostMinor: e4ToMinor(sum((r) => r.costE4) + licences.costE4),
    ratedSellMinor: e4ToMinor(sum((r) => r.sellE4) + licences.sellE4),
    billedMinor: e4ToMinor(sum((r) => r.billedE4) + licences.billedE4),
    records: sum((r) => r.records),
    costNoPrice: rows.filter((r) => r.noPrice > 0).map(toRow),
    // Cost never billed: the customer's month is invoiced, yet nothing of this number's cost reached it.
    leakage: rows.filter((r) => r.invoiced && r.costE4 > 0 && r.billedE4 === 0).map(toRow),
    // Only a feed that carries costs can say a billed number has none.
    billedNoCost: carriesCost
      ? rows.filter((r) => r.billedE4 > 0 && r.withCost === 0).map(toRow)
      : [],
  }
}
