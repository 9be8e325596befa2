import type { Dashboard } from '#insights/queries'
import type { MarginReport } from '#insights/margin'
import type { Anomaly } from '#insights/anomalies'
import type { ExportTable } from '#insights/export'
import { categoryLabel } from '#lib/labels'
import { dateTime, dialled } from '#lib/format'

/**
 * The tables behind each insights view, shared by the pages' exports (admin and portal).
 * "Amount" includes recurring charges (licences, line rental, the MI add-on); "Usage" and
 * "Recurring charges" are its two parts; "Records" counts usage records only.
 */
const SPLIT = [
  { key: 'amountMinor', label: 'Amount', type: 'money' },
  { key: 'usageMinor', label: 'Usage', type: 'money' },
  { key: 'recurringMinor', label: 'Recurring charges', type: 'money' },
] as const

export const DASHBOARD_TABLES = [
  'trend',
  'mom',
  'category',
  'department',
  'department_trend',
  'employees',
  'employee_trend',
] as const
export type DashboardTable = (typeof DASHBOARD_TABLES)[number]

export function dashboardTables(d: Dashboard): Record<DashboardTable, ExportTable> {
  return {
    trend: {
      name: 'Cost per month',
      columns: [
        { key: 'period', label: 'Month' },
        ...SPLIT,
        { key: 'records', label: 'Records', type: 'int' },
      ],
      rows: d.trend,
    },
    mom: {
      name: 'Month over month',
      columns: [
        { key: 'period', label: 'Month' },
        { key: 'amountMinor', label: 'Amount', type: 'money' },
        { key: 'previousMinor', label: 'Previous month', type: 'money' },
        { key: 'changeMinor', label: 'Change', type: 'money' },
        { key: 'changePct', label: 'Change %', type: 'pct' },
      ],
      rows: d.mom,
    },
    category: {
      name: 'By category',
      columns: [
        { key: 'category', label: 'Category' },
        ...SPLIT,
        { key: 'records', label: 'Records', type: 'int' },
        { key: 'sharePct', label: 'Share %', type: 'pct' },
      ],
      rows: d.byCategory,
    },
    department: {
      name: 'By department',
      columns: [
        { key: 'department', label: 'Department' },
        ...SPLIT,
        { key: 'records', label: 'Records', type: 'int' },
        { key: 'sharePct', label: 'Share %', type: 'pct' },
      ],
      rows: d.byDepartment,
    },
    department_trend: {
      name: 'Department by month',
      columns: [
        { key: 'department', label: 'Department' },
        ...d.periods.map((p) => ({ key: p, label: p, type: 'money' as const })),
        { key: 'totalMinor', label: 'Total', type: 'money' },
      ],
      rows: d.departmentTrend.map((e) => ({
        department: e.department,
        totalMinor: e.totalMinor,
        ...Object.fromEntries(d.periods.map((p, i) => [p, e.months[i]])),
      })),
    },
    employees: employeesTable(d.byEmployee),
    employee_trend: {
      name: 'Per-employee trend',
      columns: [
        { key: 'name', label: 'Employee' },
        ...d.periods.map((p) => ({ key: p, label: p, type: 'money' as const })),
      ],
      rows: d.employeeTrend.map((e) => ({
        name: e.name,
        ...Object.fromEntries(d.periods.map((p, i) => [p, e.months[i]])),
      })),
    },
  }
}

export function employeesTable(
  rows: {
    employeeId: number
    name: string
    department: string
    amountMinor: number
    usageMinor: number
    recurringMinor: number
    records: number
    sharePct: number
  }[]
): ExportTable {
  return {
    name: 'By employee',
    columns: [
      { key: 'name', label: 'Employee' },
      { key: 'department', label: 'Department' },
      ...SPLIT,
      { key: 'records', label: 'Records', type: 'int' },
      { key: 'sharePct', label: 'Share %', type: 'pct' },
    ],
    rows,
  }
}

export function employeeLinesTable(
  lines: {
    period: string
    category: string
    kind: 'usage' | 'recurring'
    records: number
    durationS: number
    volumeBytes: number
    amountMinor: number
  }[]
): ExportTable {
  return {
    name: 'Employee by month',
    columns: [
      { key: 'period', label: 'Month' },
      { key: 'category', label: 'Category' },
      { key: 'kindLabel', label: 'Kind' },
      { key: 'records', label: 'Records', type: 'int' },
      { key: 'durationS', label: 'Duration (s)', type: 'int' },
      { key: 'volumeBytes', label: 'Volume (bytes)', type: 'int' },
      { key: 'amountMinor', label: 'Amount', type: 'money' },
    ],
    rows: lines.map((l) => ({
      ...l,
      kindLabel: l.kind === 'recurring' ? 'Recurring charge' : 'Usage',
    })),
  }
}

/** Records as people read them: local time with the zone, labelled category, dialled number and its country. */
export function recordsTable(rows: Record<string, any>[], timeZone = 'Europe/London'): ExportTable {
  return {
    name: 'Records',
    columns: [
      { key: 'when', label: `Date and time (${timeZone})` },
      { key: 'service', label: 'Service' },
      { key: 'categoryLabel', label: 'Category' },
      { key: 'dialledNumber', label: 'Number dialled' },
      { key: 'country', label: 'Country' },
      { key: 'destination', label: 'Destination' },
      { key: 'durationS', label: 'Duration (seconds)', type: 'int' },
      { key: 'volumeBytes', label: 'Data (bytes)', type: 'int' },
      { key: 'quantity', label: 'Quantity', type: 'int' },
      { key: 'description', label: 'Description' },
      { key: 'amountMinor', label: 'Amount', type: 'money' },
    ],
    rows: rows.map((r) => {
      const number = dialled(r.dialled)
      return {
        ...r,
        when: dateTime(r.occurredAt, timeZone, true),
        service: dialled(r.identifier).display || r.identifier,
        categoryLabel: categoryLabel(r.category),
        dialledNumber: number.display,
        country: number.country,
      }
    }),
  }
}

export function wasteTable(rows: Record<string, any>[]): ExportTable {
  return {
    name: 'Unused licences',
    columns: [
      { key: 'employeeName', label: 'Employee' },
      { key: 'department', label: 'Department' },
      { key: 'upn', label: 'User' },
      { key: 'licence', label: 'Licence' },
      { key: 'quantity', label: 'Quantity', type: 'int' },
      { key: 'lastActivityDate', label: 'Last activity' },
      { key: 'daysInactive', label: 'Days inactive', type: 'int' },
      { key: 'monthlyCostMinor', label: 'Monthly cost wasted', type: 'money' },
    ],
    rows,
  }
}

export const ANOMALY_LABELS: Record<Anomaly['kind'], string> = {
  employee_spike: 'Employee spike',
  roaming_spike: 'Roaming spike',
  new_destination: 'New high-cost destination',
}

export function anomaliesTable(rows: Anomaly[]): ExportTable {
  return {
    name: 'Anomalies',
    columns: [
      { key: 'kindLabel', label: 'Kind' },
      { key: 'subject', label: 'Subject' },
      { key: 'amountMinor', label: 'Amount', type: 'money' },
      { key: 'baselineMinor', label: '3-month average', type: 'money' },
      { key: 'message', label: 'Detail' },
    ],
    rows: rows.map((a) => ({ ...a, kindLabel: ANOMALY_LABELS[a.kind] })),
  }
}

export function creditNotesTable(rows: Record<string, any>[]): ExportTable {
  return {
    name: 'Credit notes',
    columns: [
      { key: 'number', label: 'Number' },
      { key: 'invoiceNumber', label: 'Against invoice' },
      { key: 'issueDate', label: 'Issue date' },
      { key: 'reason', label: 'Reason' },
      { key: 'subtotalMinor', label: 'Net credit', type: 'money' },
      { key: 'taxMinor', label: 'VAT', type: 'money' },
      { key: 'totalMinor', label: 'Total credit', type: 'money' },
    ],
    rows,
  }
}

export function invoicesTable(rows: Record<string, any>[]): ExportTable {
  return {
    name: 'Invoices',
    columns: [
      { key: 'number', label: 'Number' },
      { key: 'period', label: 'Period' },
      { key: 'issueDate', label: 'Issue date' },
      { key: 'dueDate', label: 'Due date' },
      { key: 'subtotalMinor', label: 'Subtotal', type: 'money' },
      { key: 'taxMinor', label: 'VAT', type: 'money' },
      { key: 'totalMinor', label: 'Total', type: 'money' },
    ],
    rows,
  }
}

const MARGIN_COLUMNS = [
  { key: 'sellMinor', label: 'Sell', type: 'money' },
  { key: 'costMinor', label: 'Supplier cost', type: 'money' },
  { key: 'marginMinor', label: 'Margin', type: 'money' },
  { key: 'marginPct', label: 'Margin %', type: 'pct' },
  { key: 'uncostedRecords', label: 'Records without cost', type: 'int' },
  { key: 'uncostedSellMinor', label: 'Sell without cost', type: 'money' },
] as const

export const MARGIN_TABLES = ['month', 'customer', 'category', 'destination'] as const
export type MarginTable = (typeof MARGIN_TABLES)[number]

/** The margin report's tables (admin only): the same figures the margin page shows. */
export function marginTables(m: MarginReport): Record<MarginTable, ExportTable> {
  return {
    month: {
      name: 'Margin by month',
      columns: [{ key: 'period', label: 'Month' }, ...MARGIN_COLUMNS],
      rows: m.byMonth,
    },
    customer: {
      name: 'Margin by customer',
      columns: [
        { key: 'customer', label: 'Customer' },
        { key: 'accountNumber', label: 'Account' },
        ...MARGIN_COLUMNS,
      ],
      rows: m.byCustomer,
    },
    category: {
      name: 'Margin by category',
      columns: [{ key: 'category', label: 'Category' }, ...MARGIN_COLUMNS],
      rows: m.byCategory,
    },
    destination: {
      name: 'Margin by destination',
      columns: [
        { key: 'destination', label: 'Destination' },
        { key: 'records', label: 'Records', type: 'int' },
        ...MARGIN_COLUMNS,
      ],
      rows: m.byDestination,
    },
  }
}
