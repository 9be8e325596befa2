import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Invoice from '#models/invoice'
import InvoiceLine from '#models/invoice_line'
import Customer from '#models/customer'
import { formatMoney, formatScaled } from '#lib/money'
import { REVERSE_CHARGE_WORDING, VAT_CATEGORY_LABELS, vatGroups } from '#einvoice/vat'
import { getSettings } from '#billing/settings'
import { describeInvoice } from '#billing/snapshot'
import { billableRecords, lateUsageLabel, monthLabel } from '#billing/compute'
import { categoryLabel } from '#lib/labels'
import { invoiceTemplate } from '#lib/invoice_templates'
import { costByDepartment, m365Licences } from '#documents/invoice_summaries'
import { clock, dataVolume, dialled, moneyE4, plural, minutes, unitPriceE4 } from '#lib/format'

/**
 * Everything an invoice template needs, as display-ready strings. A finalized
 * invoice is described from its snapshot (customer, supplier, names) and its
 * lines only, so rendering it again later gives the same document; a draft
 * reads the live customer, settings and names.
 */

type Dict = Record<string, any>

export interface InvoiceLineView {
  description: string
  category: string
  /** late usage: the earlier period its records belong to ("Mar 2026"); null otherwise */
  usage_period: string | null
  late: boolean
  quantity: number
  /** the quantity with its unit: "14 calls · 125 min", "1.64 GB", "12 messages", "3 seats" */
  quantity_text: string
  unit_price: string
  amount: string
  amount_minor: number
  vat_rate: string
}

export interface ServiceView {
  label: string
  total_minor: number
  lines: InvoiceLineView[]
  categories: { label: string; amount: string }[]
  total: string
}

export interface PersonView {
  name: string
  employee_number: string | null
  department: string | null
  services: ServiceView[]
  total: string
  total_minor: number
}

export function percent(bp: number) {
  return `${formatScaled(bp, 2).replace(/\.?0+$/, '')}%`
}

function date(value: DateTime | null | undefined) {
  return value ? value.setLocale('en-GB').toFormat('d MMM yyyy') : null
}

export interface InvoiceSource {
  invoice: Invoice
  lines: InvoiceLine[]
  snapshot: Dict
  itemised: Dict[] | null
  /** call time, data and counts per usage line (period, employee, service, category) */
  usage?: UsageTotal[]
}

export interface UsageTotal {
  period: string
  employee_id: number | null
  service_id: number | null
  category: string
  duration_s: number
  volume_bytes: number
  n: number
}

/** Loads an invoice and the names its template needs (from the snapshot once finalized). */
export async function loadInvoiceSource(invoiceId: number): Promise<InvoiceSource> {
  const invoice = await Invoice.findOrFail(invoiceId)
  const lines = await InvoiceLine.query().where('invoice_id', invoice.id).orderBy('id')
  let snapshot: Dict = invoice.snapshot ?? {}
  if (invoice.status !== 'finalized' || !snapshot.customer) {
    snapshot = await liveSnapshot(invoice)
  }
  let itemised: Dict[] | null = null
  if (snapshot.customer?.itemise_calls) {
    const q =
      invoice.status === 'finalized'
        ? db.from('usage_records').where('invoice_id', invoice.id)
        : billableRecords(db.connection(), invoice.customerId, invoice.period)
    itemised = await q
      .select(
        'employee_id',
        'service_id',
        'identifier',
        'occurred_at',
        'category',
        'destination',
        'destination_name',
        'duration_s',
        'volume_bytes',
        'quantity',
        'price_e4'
      )
      .orderBy([
        { column: 'employee_id' },
        { column: 'service_id' },
        { column: 'occurred_at' },
        { column: 'id' },
      ])
  }
  return { invoice, lines, snapshot, itemised, usage: await usageTotals(invoice) }
}

/** What the usage lines stand for in minutes and bytes: the same grouping computeInvoice uses. */
async function usageTotals(invoice: Invoice): Promise<UsageTotal[]> {
  const q =
    invoice.status === 'finalized'
      ? db.from('usage_records').where('invoice_id', invoice.id)
      : billableRecords(db.connection(), invoice.customerId, invoice.period)
  const rows = await q
    .select('period', 'employee_id', 'service_id', 'category')
    .sum('duration_s as duration_s')
    .sum('volume_bytes as volume_bytes')
    .count('* as n')
    .groupBy('period', 'employee_id', 'service_id', 'category')
  return rows.map((r: Dict) => ({
    period: String(r.period),
    employee_id: r.employee_id === null ? null : Number(r.employee_id),
    service_id: r.service_id === null ? null : Number(r.service_id),
    category: String(r.category),
    duration_s: Number(r.duration_s ?? 0),
    volume_bytes: Number(r.volume_bytes ?? 0),
    n: Number(r.n ?? 0),
  }))
}

type UsageIndex = Map<string, UsageTotal>

function usageKey(
  period: string,
  employeeId: number | null,
  serviceId: number | null,
  category: string
) {
  return `${period}|${employeeId ?? ''}|${serviceId ?? ''}|${category}`
}

function indexUsage(rows: UsageTotal[] | undefined): UsageIndex {
  return new Map(
    (rows ?? []).map((r) => [usageKey(r.period, r.employee_id, r.service_id, r.category), r])
  )
}

const CALL_WORD: Record<string, string> = { sms: 'message', mms: 'message', data: 'session' }

/** A usage count with its unit: calls with minutes, data in MB/GB, messages. */
function usageQuantity(category: string, n: number, durationS: number, volumeBytes: number) {
  if (volumeBytes > 0 || category === 'data') return dataVolume(volumeBytes)
  const counted = plural(n, CALL_WORD[category] ?? 'call')
  return durationS > 0 ? `${counted} · ${minutes(durationS)}` : counted
}

async function liveSnapshot(invoice: Invoice): Promise<Dict> {
  const customer = await Customer.findOrFail(invoice.customerId)
  return {
    ...(invoice.snapshot ?? {}),
    ...(await describeInvoice(db.connection(), invoice.id, customer, await getSettings())),
  }
}

function serviceLabel(
  snapshot: Dict,
  serviceId: number | null,
  unknown: string | null = null
): string {
  // Usage of an unknown number is billed per identifier; other lines of no service are charges.
  if (serviceId === null) return unknown ? `${unknown} · not a known service` : 'Other charges'
  const s = snapshot.services?.[serviceId]
  if (!s) return `Service #${serviceId}`
  const identifier: string = String(s.identifier ?? '').startsWith('+')
    ? dialled(s.identifier).display
    : s.identifier
  return s.label ? `${s.label} · ${identifier}` : identifier
}

/**
 * Per-line description without the service part (the section heading shows the
 * service); late usage says which earlier period its records belong to.
 */
function lineText(line: InvoiceLine) {
  if (line.kind !== 'usage') return line.description
  return line.usagePeriod
    ? `${categoryLabel(line.category)} ${lateUsageLabel(line.usagePeriod)}`
    : categoryLabel(line.category)
}

/** The period's own lines first, then late usage oldest period first; otherwise as stored. */
function linesInOrder(lines: InvoiceLine[]) {
  // '' (the period's own usage) sorts before any YYYY-MM.
  return [...lines].sort(
    (a, b) => (a.usagePeriod ?? '').localeCompare(b.usagePeriod ?? '') || a.id - b.id
  )
}

function groupServices(
  lines: InvoiceLine[],
  snapshot: Dict,
  currency: string,
  usage: UsageIndex = new Map(),
  period = ''
): ServiceView[] {
  const byService = new Map<string, InvoiceLine[]>()
  for (const line of lines) {
    const key = line.serviceId !== null ? String(line.serviceId) : `none:${line.identifier ?? ''}`
    byService.set(key, [...(byService.get(key) ?? []), line])
  }
  const out: ServiceView[] = []
  for (const group of byService.values()) {
    const categories = new Map<string, number>()
    for (const l of group)
      categories.set(l.category, (categories.get(l.category) ?? 0) + l.amountMinor)
    out.push({
      label: serviceLabel(snapshot, group[0].serviceId, group[0].identifier),
      total_minor: group.reduce((sum, l) => sum + l.amountMinor, 0),
      lines: linesInOrder(group).map((l) => lineView(l, currency, usage, period)),
      categories: [...categories].map(([c, minor]) => ({
        label: categoryLabel(c),
        amount: formatMoney(minor, currency),
      })),
      total: formatMoney(
        group.reduce((sum, l) => sum + l.amountMinor, 0),
        currency
      ),
    })
  }
  return out.sort((a, b) => a.label.localeCompare(b.label))
}

function lineView(
  line: InvoiceLine,
  currency: string,
  usage: UsageIndex,
  period: string
): InvoiceLineView {
  const u =
    line.kind === 'usage'
      ? usage.get(
          usageKey(line.usagePeriod ?? period, line.employeeId, line.serviceId, line.category)
        )
      : undefined
  const seats = line.category === 'licence' ? 'seat' : 'unit'
  return {
    description: lineText(line),
    category: categoryLabel(line.category),
    usage_period: line.usagePeriod ? monthLabel(line.usagePeriod) : null,
    late: Boolean(line.usagePeriod),
    quantity: line.quantity,
    quantity_text:
      line.kind === 'usage'
        ? usageQuantity(line.category, line.quantity, u?.duration_s ?? 0, u?.volume_bytes ?? 0)
        : plural(line.quantity, seats),
    unit_price: line.kind === 'recurring' ? unitPriceE4(line.unitPriceE4, currency) : '',
    amount: formatMoney(line.amountMinor, currency),
    amount_minor: line.amountMinor,
    vat_rate: percent(line.taxRateBp),
  }
}

/** The reseller's colours and footer wording from the branding settings (colours are #rrggbb). */
export interface BrandView {
  colour: string | null
  light_colour: string | null
  footer: string
}

export function buildInvoiceView(
  source: InvoiceSource,
  options: { logo?: string | null; brand?: BrandView } = {}
) {
  const { invoice, lines, snapshot } = source
  const currency = invoice.currency
  const customer = snapshot.customer ?? {}
  const supplier = snapshot.supplier ?? {}
  const draft = invoice.status !== 'finalized'
  const usage = indexUsage(source.usage)
  // VAT per (category, rate): the same groups as the e-invoice's TaxSubtotals, adding up to the VAT per rate.
  const taxes = vatGroups(lines)
  const { byEmployee, unallocated, accountCharges } = linesByPayer(lines)
  const { people, personLines } = peopleViews(byEmployee, snapshot, currency, usage, invoice.period)
  const unallocatedTotal = unallocated.reduce((sum, l) => sum + l.amountMinor, 0)
  const accountTotal = accountCharges.reduce((sum, l) => sum + l.amountMinor, 0)
  const tz = customer.time_zone || 'Europe/London'
  const itemised = source.itemised
    ? groupItemised(source.itemised, itemisedTitle(snapshot), tz, currency)
    : null

  return {
    draft,
    title: draft ? 'DRAFT invoice' : 'VAT invoice',
    number: invoice.number ?? 'DRAFT',
    period: invoice.period,
    period_label: longMonth(invoice.period),
    recurring_label: snapshot.recurring_month ? monthLabel(snapshot.recurring_month) : null,
    issue_date: date(invoice.issueDate) ?? date(DateTime.now()),
    tax_point: date(invoice.taxPoint) ?? date(DateTime.now()),
    due_date:
      date(invoice.dueDate) ??
      date(DateTime.now().plus({ days: customer.payment_terms_days ?? 30 })),
    payment_terms_days: customer.payment_terms_days ?? 30,
    currency,
    logo: options.logo ?? null,
    brand: options.brand ?? null,
    supplier,
    customer,
    // From the snapshot once finalised: a later change of the customer's layout reprints nothing.
    layout: layoutView(customer.invoice_template),
    totals: {
      subtotal: formatMoney(invoice.subtotalMinor, currency),
      tax: formatMoney(invoice.taxMinor, currency),
      total: formatMoney(invoice.totalMinor, currency),
    },
    taxes: taxViews(taxes, currency),
    several_vat_rates: taxes.length > 1,
    reverse_charge: taxes.some((t) => t.category === 'AE') ? REVERSE_CHARGE_WORDING : null,
    exempt: taxes.some((t) => t.category === 'E'),
    categories: categorySummary(lines, usage, invoice.period, currency),
    people_summary: peopleSummary(people, unallocated, accountCharges, currency),
    late_usage: lateUsageSection(lateUsageView(lines, currency), currency),
    cost_by_user: costByDepartment(personLines, unallocated, currency, accountCharges),
    m365: m365Licences(lines, currency),
    time_zone: tz,
    people,
    unallocated: unallocated.length
      ? {
          services: groupServices(unallocated, snapshot, currency, usage, invoice.period),
          total: formatMoney(unallocatedTotal, currency),
          total_minor: unallocatedTotal,
        }
      : null,
    account_charges: accountCharges.length
      ? {
          lines: linesInOrder(accountCharges).map((l) =>
            lineView(l, currency, usage, invoice.period)
          ),
          total: formatMoney(accountTotal, currency),
          total_minor: accountTotal,
        }
      : null,
    itemised,
  }
}

function taxViews(taxes: ReturnType<typeof vatGroups>, currency: string) {
  return taxes.map((t) => ({
    rate: percent(t.rateBp),
    label:
      t.category === 'S'
        ? `VAT at ${percent(t.rateBp)}`
        : `${VAT_CATEGORY_LABELS[t.category]} (${percent(t.rateBp)})`,
    net: formatMoney(t.taxableMinor, currency),
    tax: formatMoney(t.taxMinor, currency),
  }))
}

/** One total per person, then the unallocated usage and the account charges when there are any. */
function peopleSummary(
  people: PersonView[],
  unallocated: InvoiceLine[],
  accountCharges: InvoiceLine[],
  currency: string
) {
  const totalOf = (group: InvoiceLine[]) =>
    formatMoney(
      group.reduce((sum, l) => sum + l.amountMinor, 0),
      currency
    )
  return [
    ...people.map((p) => ({ name: p.name, department: p.department, amount: p.total })),
    ...(unallocated.length
      ? [{ name: 'Unallocated', department: null, amount: totalOf(unallocated) }]
      : []),
    ...(accountCharges.length
      ? [{ name: 'Account charges', department: null, amount: totalOf(accountCharges) }]
      : []),
  ]
}

/** Summary: totals by category, with the quantity in its unit. */
function categorySummary(
  lines: InvoiceLine[],
  usage: UsageIndex,
  invoicePeriod: string,
  currency: string
) {
  const byCategory = new Map<
    string,
    {
      minor: number
      quantity: number
      durationS: number
      volumeBytes: number
      usage: boolean
      rates: Set<number>
    }
  >()
  for (const l of lines) {
    const c = byCategory.get(l.category) ?? {
      minor: 0,
      quantity: 0,
      durationS: 0,
      volumeBytes: 0,
      usage: l.kind === 'usage',
      rates: new Set<number>(),
    }
    c.rates.add(l.taxRateBp)
    const u =
      l.kind === 'usage'
        ? usage.get(usageKey(l.usagePeriod ?? invoicePeriod, l.employeeId, l.serviceId, l.category))
        : undefined
    c.minor += l.amountMinor
    c.quantity += l.quantity
    c.durationS += u?.duration_s ?? 0
    c.volumeBytes += u?.volume_bytes ?? 0
    byCategory.set(l.category, c)
  }
  return [...byCategory]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([c, v]) => ({
      label: categoryLabel(c),
      quantity: v.quantity,
      quantity_text: v.usage
        ? usageQuantity(c, v.quantity, v.durationS, v.volumeBytes)
        : plural(v.quantity, c === 'licence' ? 'seat' : 'unit'),
      amount: formatMoney(v.minor, currency),
      vat_rate: [...v.rates]
        .sort((a, b) => b - a)
        .map(percent)
        .join(' / '),
    }))
}

/** Per employee, then unallocated usage (no employee), then account charges (recurring, no employee). */
function linesByPayer(lines: InvoiceLine[]) {
  const byEmployee = new Map<number, InvoiceLine[]>()
  const unallocated: InvoiceLine[] = []
  const accountCharges: InvoiceLine[] = []
  for (const l of lines) {
    if (l.employeeId !== null)
      byEmployee.set(l.employeeId, [...(byEmployee.get(l.employeeId) ?? []), l])
    else if (l.kind === 'usage') unallocated.push(l)
    else accountCharges.push(l)
  }
  return { byEmployee, unallocated, accountCharges }
}

/** Each employee's services and total, by department then name, and their lines for the cost table. */
function peopleViews(
  byEmployee: Map<number, InvoiceLine[]>,
  snapshot: Dict,
  currency: string,
  usage: UsageIndex,
  invoicePeriod: string
) {
  const personLines: {
    name: string
    employee_number: string | null
    department: string | null
    lines: InvoiceLine[]
  }[] = []
  const people: PersonView[] = [...byEmployee].map(([employeeId, group]) => {
    const e = snapshot.employees?.[employeeId] ?? {}
    const departmentId =
      group.find((l) => l.departmentId !== null)?.departmentId ?? e.department_id ?? null
    const total = group.reduce((sum, l) => sum + l.amountMinor, 0)
    const who = {
      name: e.name ?? `Employee #${employeeId}`,
      employee_number: e.employee_number ?? null,
      department:
        departmentId !== null ? (snapshot.departments?.[departmentId]?.name ?? null) : null,
    }
    personLines.push({ ...who, lines: group })
    return {
      ...who,
      services: groupServices(group, snapshot, currency, usage, invoicePeriod),
      total: formatMoney(total, currency),
      total_minor: total,
    }
  })
  people.sort(
    (a, b) =>
      (a.department ?? '~').localeCompare(b.department ?? '~') || a.name.localeCompare(b.name)
  )
  return { people, personLines }
}

/** Late usage: unbilled records of earlier periods billed on this invoice, per original period. */
function lateUsageView(lines: InvoiceLine[], currency: string) {
  const byLatePeriod = new Map<string, { minor: number; quantity: number }>()
  for (const l of lines) {
    if (!l.usagePeriod) continue
    const p = byLatePeriod.get(l.usagePeriod) ?? { minor: 0, quantity: 0 }
    p.minor += l.amountMinor
    p.quantity += l.quantity
    byLatePeriod.set(l.usagePeriod, p)
  }
  return [...byLatePeriod]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([p, v]) => ({
      period: p,
      label: longMonth(p),
      quantity: v.quantity,
      amount: formatMoney(v.minor, currency),
      amount_minor: v.minor,
    }))
}

function lateUsageSection(periods: ReturnType<typeof lateUsageView>, currency: string) {
  if (!periods.length) return null
  const total = periods.reduce((sum, p) => sum + p.amount_minor, 0)
  return { periods, total: formatMoney(total, currency) }
}

/** The heading of an itemised group: who, and which service. */
function itemisedTitle(snapshot: Dict) {
  return (r: Dict) => {
    const who =
      r.employee_id === null
        ? 'Unallocated'
        : (snapshot.employees?.[r.employee_id]?.name ?? `Employee #${r.employee_id}`)
    const what =
      r.service_id === null
        ? `${r.identifier} · not a known service`
        : serviceLabel(snapshot, Number(r.service_id))
    return `${who} · ${what}`
  }
}

function layoutView(key: string | null | undefined) {
  const t = invoiceTemplate(key)
  return { key: t.key, label: t.label, cost_by_user: t.costByUser, per_user: t.perUser }
}

function longMonth(period: string) {
  return DateTime.fromFormat(period, 'yyyy-MM').toFormat('MMMM yyyy')
}

function groupItemised(rows: Dict[], keyOf: (r: Dict) => string, tz: string, currency: string) {
  const groups = new Map<string, Dict[]>()
  for (const r of rows) {
    const key = keyOf(r)
    let list = groups.get(key)
    if (!list) groups.set(key, (list = []))
    const at =
      r.occurred_at instanceof Date
        ? DateTime.fromJSDate(r.occurred_at)
        : DateTime.fromSQL(String(r.occurred_at), { zone: 'utc' })
    const local = at.setZone(tz)
    const number = dialled(r.destination)
    list.push({
      date: local.toFormat('dd/MM/yyyy'),
      time: local.toFormat('HH:mm'),
      category: categoryLabel(r.category),
      destination: number.display,
      destination_name: [r.destination_name, number.country]
        .filter((x, i, all) => x && all.indexOf(x) === i)
        .join(' · '),
      amount:
        Number(r.duration_s) > 0
          ? clock(Number(r.duration_s))
          : Number(r.volume_bytes) > 0
            ? dataVolume(Number(r.volume_bytes))
            : plural(Number(r.quantity), CALL_WORD[r.category] ?? 'item'),
      // Itemised prices read at 2 dp like every other amount; the line totals above are exact.
      price: moneyE4(Number(r.price_e4), currency),
    })
  }
  return [...groups].map(([title, items]) => ({ title, items, count: items.length }))
}
