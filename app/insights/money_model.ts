import { lineAmountMinor } from '#lib/money'

/**
 * The one money model of insights, the portal, statements and exports (docs/insights.md).
 *
 * Every figure is a sum of *lines* in minor units, the same lines an invoice has:
 * - a month with a finalized invoice: that invoice's lines, as billed;
 * - any other month: the lines its draft would bill — usage per (employee, service, category, and
 *   identifier for usage of no service), each the exact sum of its records' prices rounded once with
 *   lineAmountMinor (as app/billing/compute.ts does), and the recurring charges the invoice for the
 *   month bills (the next month in advance billing), each charge rounded on its own.
 * Totals, months, categories, departments and employees are all sums of those integers, so every
 * table adds up and the dashboard equals the employee page equals the invoice.
 *
 * Pure functions only: no database (the loader is in queries.ts).
 */

export type LineKind = 'usage' | 'recurring'

export type MoneyLine = {
  period: string
  /** 0 = no employee */
  employeeId: number
  /** 0 = no department */
  departmentId: number
  /** 0 = no service */
  serviceId: number
  category: string
  kind: LineKind
  amountMinor: number
  records: number
  durationS: number
  volumeBytes: number
  /** true when read from a finalized invoice */
  billed: boolean
}

/** Usage with no employee. */
export const UNALLOCATED = 'Unallocated'
/** Recurring charges of no employee: the MI add-on, account-level recurring charges. */
export const ACCOUNT_CHARGES = 'Account charges'
/** Employees without a department. */
export const NO_DEPARTMENT = 'No department'

/** Employee keys: an employee's id, 0 = unallocated usage, -1 = account charges. */
export const UNALLOCATED_EMPLOYEE = 0
export const ACCOUNT_EMPLOYEE = -1
/** Department keys: a department's id, 0 = no department, -1 = unallocated usage, -2 = account charges. */
export const NO_DEPARTMENT_KEY = 0
export const UNALLOCATED_DEPARTMENT = -1
export const ACCOUNT_DEPARTMENT = -2

export function employeeKey(line: Pick<MoneyLine, 'employeeId' | 'kind'>): number {
  if (line.employeeId !== 0) return line.employeeId
  return line.kind === 'usage' ? UNALLOCATED_EMPLOYEE : ACCOUNT_EMPLOYEE
}

export function departmentKey(
  line: Pick<MoneyLine, 'employeeId' | 'departmentId' | 'kind'>
): number {
  if (line.employeeId !== 0) return line.departmentId
  return line.kind === 'usage' ? UNALLOCATED_DEPARTMENT : ACCOUNT_DEPARTMENT
}

/** A rollup cell (or, for usage of no service, one identifier's records) of an unbilled month. */
export type UsageCell = {
  period: string
  employeeId: number
  departmentId: number
  serviceId: number
  /** '' unless serviceId is 0: then the identifier, which the invoice bills as its own line */
  identifier: string
  category: string
  priceE4: number
  records: number
  durationS: number
  volumeBytes: number
}

/**
 * The usage lines a draft would bill from rollup cells: cells are grouped by the invoice's line key
 * (period, employee, service, category, identifier), the department is the largest id among them
 * (compute.ts takes MAX(department_id)), and each line is rounded once.
 */
export function draftUsageLines(cells: UsageCell[]): MoneyLine[] {
  const groups = new Map<
    string,
    {
      cell: UsageCell
      priceE4: number
      records: number
      durationS: number
      volumeBytes: number
      departmentId: number
    }
  >()
  for (const c of cells) {
    const key = `${c.period}|${c.employeeId}|${c.serviceId}|${c.category}|${c.serviceId === 0 ? c.identifier : ''}`
    const g = groups.get(key)
    if (!g)
      groups.set(key, {
        cell: c,
        priceE4: c.priceE4,
        records: c.records,
        durationS: c.durationS,
        volumeBytes: c.volumeBytes,
        departmentId: c.departmentId,
      })
    else {
      g.priceE4 += c.priceE4
      g.records += c.records
      g.durationS += c.durationS
      g.volumeBytes += c.volumeBytes
      g.departmentId = Math.max(g.departmentId, c.departmentId)
    }
  }
  return [...groups.values()].map((g) => ({
    period: g.cell.period,
    employeeId: g.cell.employeeId,
    departmentId: g.departmentId,
    serviceId: g.cell.serviceId,
    category: g.cell.category,
    kind: 'usage',
    amountMinor: lineAmountMinor(g.priceE4),
    records: g.records,
    durationS: g.durationS,
    volumeBytes: g.volumeBytes,
    billed: false,
  }))
}

export type Sums = {
  amountMinor: number
  usageMinor: number
  recurringMinor: number
  records: number
  durationS: number
  volumeBytes: number
}

export const emptySums = (): Sums => ({
  amountMinor: 0,
  usageMinor: 0,
  recurringMinor: 0,
  records: 0,
  durationS: 0,
  volumeBytes: 0,
})

export function addLine(sums: Sums, line: MoneyLine) {
  sums.amountMinor += line.amountMinor
  if (line.kind === 'usage') {
    sums.usageMinor += line.amountMinor
    sums.records += line.records
    sums.durationS += line.durationS
    sums.volumeBytes += line.volumeBytes
  } else sums.recurringMinor += line.amountMinor
  return sums
}

/** Sums of the lines per key (insertion order of first appearance). */
export function sumBy<K>(lines: MoneyLine[], keyOf: (line: MoneyLine) => K): Map<K, Sums> {
  const out = new Map<K, Sums>()
  for (const line of lines) {
    const key = keyOf(line)
    let sums = out.get(key)
    if (!sums) out.set(key, (sums = emptySums()))
    addLine(sums, line)
  }
  return out
}

export function total(lines: MoneyLine[]): Sums {
  const sums = emptySums()
  for (const line of lines) addLine(sums, line)
  return sums
}

export type LineFilter = {
  period?: string
  category?: string
  departmentId?: number
  employeeId?: number
}

/** The lines under a drill-down filter (department and employee are keys, see employeeKey/departmentKey). */
export function filterLines(lines: MoneyLine[], filter: LineFilter): MoneyLine[] {
  return lines.filter(
    (l) =>
      (filter.period === undefined || l.period === filter.period) &&
      (filter.category === undefined || l.category === filter.category) &&
      (filter.departmentId === undefined || departmentKey(l) === filter.departmentId) &&
      (filter.employeeId === undefined || employeeKey(l) === filter.employeeId)
  )
}
