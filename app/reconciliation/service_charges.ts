import db from '@adonisjs/lucid/services/db'
import { e4ToMinor } from '#lib/money'
import { int } from '#lib/db_helpers'
import { lastDayOfMonth } from '#rating/recurring'
import type { ServiceRow } from '#reconciliation/supplier_figures'

/**
 * A feed's service-charge records (UK Standard CDR rentals, one-offs, credits: supplier_charges) for
 * one connector and month. They are part of what the supplier bills the reseller, so they join the
 * imported cost when the supplier total is checked; a rental the customer was never billed for in an
 * invoiced month is leakage.
 *
 * A charge belongs to the month its period starts in (the month whose supplier bill carries it); a
 * charge without dates to the month it was imported in.
 */

export interface ServiceChargeFigures {
  costMinor: number
  charges: number
  /** Rentals of invoiced customer months with no recurring line billed for their service. */
  unbilledRentals: ServiceRow[]
}

interface ChargeRow {
  customerId: number | null
  account: string | null
  identifier: string | null
  chargeType: string
  costE4: number
}

async function chargesOf(connectorId: number, period: string): Promise<ChargeRow[]> {
  const first = `${period}-01`
  const last = lastDayOfMonth(period)
  const rows = await db
    .from('supplier_charges')
    .where('connector_id', connectorId)
    .where((q) =>
      q
        .whereBetween('starts_on', [first, last])
        .orWhere((n) =>
          n
            .whereNull('starts_on')
            .whereBetween('created_at', [`${first} 00:00:00`, `${last} 23:59:59`])
        )
    )
    .select('customer_id', 'account', 'identifier', 'charge_type', 'cost_e4')
  return rows.map((r: any) => ({
    customerId: r.customer_id === null ? null : int(r.customer_id),
    account: r.account ?? null,
    identifier: r.identifier ?? null,
    chargeType: String(r.charge_type),
    costE4: int(r.cost_e4),
  }))
}

/** account code → customer id, by account number or a supplier account alias of this connector (or any). */
async function customersByAccount(connectorId: number, accounts: string[]) {
  const wanted = [...new Set(accounts)]
  const byAccount = new Map<string, number>()
  if (wanted.length === 0) return byAccount
  for (const c of await db
    .from('customers')
    .whereIn('account_number', wanted)
    .select('id', 'account_number'))
    byAccount.set(String(c.account_number), int(c.id))
  const aliases = await db
    .from('supplier_account_aliases')
    .whereIn('alias', wanted)
    .where((q) => q.whereNull('connector_id').orWhere('connector_id', connectorId))
    .select('alias', 'customer_id')
  for (const a of aliases)
    if (!byAccount.has(String(a.alias))) byAccount.set(String(a.alias), int(a.customer_id))
  return byAccount
}

/** (customer, identifier) keys whose service has a recurring line on the customer's finalized invoice for the month. */
async function billedRentals(customerIds: number[], period: string) {
  if (customerIds.length === 0) return new Set<string>()
  const rows = await db
    .from('invoice_lines as l')
    .join('invoices as inv', 'inv.id', 'l.invoice_id')
    .join('services as s', 's.id', 'l.service_id')
    .where('inv.status', 'finalized')
    .whereIn('inv.customer_id', customerIds)
    .where('l.kind', 'recurring')
    .where('l.recurring_month', period)
    .distinct('inv.customer_id', 's.identifier')
  return new Set(rows.map((r: any) => `${int(r.customer_id)}|${r.identifier}`))
}

async function customerFacts(customerIds: number[], period: string) {
  if (customerIds.length === 0)
    return {
      names: new Map<number, { name: string; account: string }>(),
      invoiced: new Set<number>(),
    }
  const names = new Map<number, { name: string; account: string }>()
  for (const c of await db
    .from('customers')
    .whereIn('id', customerIds)
    .select('id', 'name', 'account_number'))
    names.set(int(c.id), { name: String(c.name), account: String(c.account_number) })
  const invoiced = new Set(
    (
      await db
        .from('invoices')
        .whereIn('customer_id', customerIds)
        .where('period', period)
        .where('status', 'finalized')
        .select('customer_id')
    ).map((r: any) => int(r.customer_id))
  )
  return { names, invoiced }
}

export async function serviceChargeFigures(
  connectorId: number,
  period: string
): Promise<ServiceChargeFigures> {
  const charges = await chargesOf(connectorId, period)
  const byAccount = await customersByAccount(
    connectorId,
    charges.flatMap((c) => (c.customerId === null && c.account ? [c.account] : []))
  )
  const owned = charges.map((c) => ({
    ...c,
    customerId: c.customerId ?? (c.account ? (byAccount.get(c.account) ?? null) : null),
  }))
  const customerIds = [
    ...new Set(owned.flatMap((c) => (c.customerId === null ? [] : [c.customerId]))),
  ]
  const [{ names, invoiced }, billed] = await Promise.all([
    customerFacts(customerIds, period),
    billedRentals(customerIds, period),
  ])
  const unbilled = new Map<
    string,
    { customerId: number; identifier: string; records: number; costE4: number }
  >()
  for (const c of owned) {
    if (
      c.chargeType !== 'rental' ||
      c.customerId === null ||
      !c.identifier ||
      !invoiced.has(c.customerId)
    )
      continue
    const key = `${c.customerId}|${c.identifier}`
    if (billed.has(key)) continue
    const row = unbilled.get(key) ?? {
      customerId: c.customerId,
      identifier: c.identifier,
      records: 0,
      costE4: 0,
    }
    row.records++
    row.costE4 += c.costE4
    unbilled.set(key, row)
  }
  const unbilledRentals: ServiceRow[] = [...unbilled.values()].map((r) => ({
    customerId: r.customerId,
    customer: names.get(r.customerId)?.name ?? '',
    account: names.get(r.customerId)?.account ?? '',
    identifier: r.identifier,
    records: r.records,
    costMinor: e4ToMinor(r.costE4),
    sellMinor: 0,
    billedMinor: 0,
  }))
  return {
    // Summed exactly, rounded to pence once (as the imported cost is).
    costMinor: e4ToMinor(charges.reduce((s, c) => s + c.costE4, 0)),
    charges: charges.length,
    unbilledRentals: unbilledRentals.sort(
      (a, b) => a.account.localeCompare(b.account) || a.identifier.localeCompare(b.identifier)
    ),
  }
}
