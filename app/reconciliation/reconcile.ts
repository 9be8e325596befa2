import db from '@adonisjs/lucid/services/db'
import { csvLine } from '#lib/csv'
import { int, PERIOD_RE } from '#lib/db_helpers'
import { supplierFigures, type ServiceRow } from '#reconciliation/supplier_figures'
import {
  seatDifferences,
  rightSizeCandidates,
  type SeatRow,
  type RightSizeRow,
} from '#reconciliation/m365_seats'
import { idleServices, type IdleRow } from '#reconciliation/idle'
import { supplierBillsFor } from '#reconciliation/supplier_bills'
import { serviceChargeFigures } from '#reconciliation/service_charges'

/**
 * Three-way reconciliation of one month: per supplier (connector) the supplier's invoice total against
 * the imported cost, the rated sell and what finalized invoices billed, and every difference found.
 * Computed from the current records on each call, so it reflects every import, re-rate and run at once.
 */

export interface SupplierLine {
  connectorId: number
  name: string
  type: string
  supplierTotalMinor: number | null
  supplierSource: string | null
  importedCostMinor: number
  /** The feed's service-charge records (rentals, one-offs, credits) of the month: supplier cost too. */
  serviceChargesMinor: number
  serviceCharges: number
  ratedSellMinor: number
  billedMinor: number
  /** supplier total − (imported cost + service charges); null without a supplier total */
  supplierDeltaMinor: number | null
  records: number
}

export interface Reconciliation {
  period: string
  suppliers: SupplierLine[]
  supplierTotals: {
    connectorId: number
    connector: string
    supplierMinor: number
    importedMinor: number
    deltaMinor: number
  }[]
  costNoPrice: (ServiceRow & { connector: string })[]
  leakage: (ServiceRow & { connector: string })[]
  billedNoCost: (ServiceRow & { connector: string })[]
  seats: (SeatRow & { connector: string })[]
  idle: IdleRow[]
  rightSize: (RightSizeRow & { connector: string })[]
}

export const SECTIONS = [
  'supplier_totals',
  'cost_no_price',
  'leakage',
  'billed_no_cost',
  'seats',
  'idle',
  'right_size',
] as const
export type Section = (typeof SECTIONS)[number]

export const SECTION_LABELS: Record<Section, string> = {
  supplier_totals: 'Supplier total differs from imported cost',
  cost_no_price: 'Records with cost and no price',
  leakage: 'Cost never billed (leakage)',
  billed_no_cost: 'Billed with no supplier cost',
  seats: 'Microsoft 365 seats paid vs billed',
  idle: `Idle numbers and SIMs (rental, no usage for 60 days)`,
  right_size: 'Licences to right-size (E5 with only E3-level activity)',
}

export async function reconcile(period: string): Promise<Reconciliation> {
  if (!PERIOD_RE.test(period)) throw new Error(`"${period}" is not a YYYY-MM month`)
  const connectors = await db
    .from('connectors')
    .orderBy('name')
    .select('id', 'name', 'type', 'customer_id', 'settings')
  const bills = await supplierBillsFor(period)
  const out: Reconciliation = {
    period,
    suppliers: [],
    supplierTotals: [],
    costNoPrice: [],
    leakage: [],
    billedNoCost: [],
    seats: [],
    idle: [],
    rightSize: [],
  }
  for (const c of connectors as any[]) {
    const connector = {
      id: int(c.id),
      type: String(c.type),
      customer_id: c.customer_id === null ? null : int(c.customer_id),
      settings: c.settings,
    }
    const figures = await supplierFigures(connector, period)
    const charges = await serviceChargeFigures(connector.id, period)
    const total = supplierTotal(bills.get(connector.id) ?? null, figures.importedCostMinor, charges)
    const importedMinor = figures.importedCostMinor + charges.costMinor
    const named = <T>(rows: T[]) => rows.map((r) => ({ ...r, connector: String(c.name) }))
    out.suppliers.push({
      connectorId: connector.id,
      name: String(c.name),
      type: connector.type,
      supplierTotalMinor: total?.minor ?? null,
      supplierSource: total?.source ?? null,
      importedCostMinor: figures.importedCostMinor,
      serviceChargesMinor: charges.costMinor,
      serviceCharges: charges.charges,
      ratedSellMinor: figures.ratedSellMinor,
      billedMinor: figures.billedMinor,
      supplierDeltaMinor: total ? total.minor - importedMinor : null,
      records: figures.records,
    })
    if (total && total.minor !== importedMinor) {
      out.supplierTotals.push({
        connectorId: connector.id,
        connector: String(c.name),
        supplierMinor: total.minor,
        importedMinor,
        deltaMinor: total.minor - importedMinor,
      })
    }
    out.costNoPrice.push(...named(figures.costNoPrice))
    out.leakage.push(...named(figures.leakage), ...named(charges.unbilledRentals))
    out.billedNoCost.push(...named(figures.billedNoCost))
    out.seats.push(...named(await seatDifferences(connector, period)))
    out.rightSize.push(...named(await rightSizeCandidates(connector, period)))
  }
  out.idle = await idleServices(period)
  return out
}

/**
 * The supplier's own total: a bill entered or imported wins; else a feed with service-charge
 * records states the month's bill itself (its calls' cost plus its charges).
 */
function supplierTotal(
  bill: { totalMinor: number; source: string; fileName: string | null; lines: number } | null,
  importedCostMinor: number,
  charges: { costMinor: number; charges: number }
) {
  if (bill)
    return {
      minor: bill.totalMinor,
      source:
        bill.source === 'csv'
          ? `CSV ${bill.fileName ?? ''} (${bill.lines} lines)`.trim()
          : 'entered by hand',
    }
  if (charges.charges === 0) return null
  return {
    minor: importedCostMinor + charges.costMinor,
    source: `the feed's calls and ${charges.charges} service-charge record${charges.charges === 1 ? '' : 's'}`,
  }
}

/** How many differences each section found (the page's summary and the acceptance test). */
export function differenceCounts(r: Reconciliation): Record<Section, number> {
  return {
    supplier_totals: r.supplierTotals.length,
    cost_no_price: r.costNoPrice.length,
    leakage: r.leakage.length,
    billed_no_cost: r.billedNoCost.length,
    seats: r.seats.length,
    idle: r.idle.length,
    right_size: r.rightSize.length,
  }
}

const pounds = (minor: number | null) =>
  minor === null
    ? ''
    : (minor < 0 ? '-' : '') +
      `${Math.floor(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, '0')}`

const TOTALS_HEADER = [
  'section',
  'supplier',
  'type',
  'supplier_total',
  'imported_cost',
  'service_charges',
  'rated_sell',
  'billed',
  'supplier_minus_imported',
  'records',
]

const DIFFERENCES_HEADER = [
  'section',
  'supplier',
  'customer',
  'account',
  'item',
  'records',
  'cost',
  'sell',
  'billed',
  'paid_seats',
  'billed_seats',
  'amount',
  'note',
]

/** The month as CSV: the supplier totals, then one row per difference with its section. */
export function reconciliationCsv(r: Reconciliation, section?: Section): string {
  const lines: unknown[][] = []
  if (!section) {
    lines.push(TOTALS_HEADER)
    for (const s of r.suppliers) lines.push(totalsRow(s))
    lines.push([])
  }
  lines.push(DIFFERENCES_HEADER)
  for (const key of SECTIONS) {
    if (!section || section === key) for (const row of differenceRows(r, key)) lines.push(row)
  }
  return lines.map(csvLine).join('\r\n') + '\r\n'
}

function totalsRow(s: SupplierLine): unknown[] {
  return [
    'totals',
    s.name,
    s.type,
    pounds(s.supplierTotalMinor),
    pounds(s.importedCostMinor),
    pounds(s.serviceChargesMinor),
    pounds(s.ratedSellMinor),
    pounds(s.billedMinor),
    pounds(s.supplierDeltaMinor),
    s.records,
  ]
}

/** One section's differences in the columns of DIFFERENCES_HEADER. */
function differenceRows(r: Reconciliation, key: Section): unknown[][] {
  switch (key) {
    case 'supplier_totals':
      return r.supplierTotals.map(supplierTotalRow)
    case 'cost_no_price':
      return r.costNoPrice.map((d) => serviceRow(key, d))
    case 'leakage':
      return r.leakage.map((d) => serviceRow(key, d))
    case 'billed_no_cost':
      return r.billedNoCost.map((d) => serviceRow(key, d))
    case 'seats':
      return r.seats.map(seatRow)
    case 'idle':
      return r.idle.map(idleRow)
    case 'right_size':
      return r.rightSize.map(rightSizeRow)
  }
}

function supplierTotalRow(d: Reconciliation['supplierTotals'][number]): unknown[] {
  return [
    SECTION_LABELS.supplier_totals,
    d.connector,
    '',
    '',
    '',
    '',
    pounds(d.importedMinor),
    '',
    '',
    '',
    '',
    pounds(d.deltaMinor),
    `supplier ${pounds(d.supplierMinor)}`,
  ]
}

function serviceRow(key: Section, d: ServiceRow & { connector: string }): unknown[] {
  return [
    SECTION_LABELS[key],
    d.connector,
    d.customer,
    d.account,
    d.identifier,
    d.records,
    pounds(d.costMinor),
    pounds(d.sellMinor),
    pounds(d.billedMinor),
    '',
    '',
    '',
    '',
  ]
}

function seatRow(d: Reconciliation['seats'][number]): unknown[] {
  return [
    SECTION_LABELS.seats,
    d.connector,
    d.customer,
    d.account,
    d.sku,
    '',
    '',
    '',
    '',
    d.paid,
    d.billed,
    '',
    `${d.delta > 0 ? d.delta + ' paid, not billed' : -d.delta + ' billed, not paid'}`,
  ]
}

function idleRow(d: IdleRow): unknown[] {
  return [
    SECTION_LABELS.idle,
    '',
    d.customer,
    d.account,
    d.identifier,
    0,
    '',
    '',
    '',
    '',
    '',
    pounds(d.rentalMinor),
    d.lastUsage ? `last usage ${d.lastUsage}` : 'no usage on record',
  ]
}

function rightSizeRow(d: Reconciliation['rightSize'][number]): unknown[] {
  return [
    SECTION_LABELS.right_size,
    d.connector,
    d.customer,
    d.account,
    d.upn,
    '',
    '',
    '',
    '',
    '',
    '',
    pounds(d.savingMinor),
    `${d.sku}; activity: ${d.activeProducts}`,
  ]
}
