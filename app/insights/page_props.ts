import type { Dashboard, EmployeeRow, employeeDetail, records } from '#insights/queries'
import type { unusedLicences } from '#insights/waste'
import type { Anomaly } from '#insights/anomalies'
import type { MarginReport } from '#insights/margin'

/**
 * The props of the insights pages (staff /customers/:id/insights… and the portal), as the
 * views in app/insights/pages.ts build them: the Vue pages and chart components import
 * these with `import type`, so a change to a query shows up in `npm run typecheck`.
 */

export type InsightsRange = { from: string; to: string }
export type InsightsCustomer = {
  id: number
  name: string
  currency: string
  miAddon?: boolean
  timeZone?: string
}

/** The dashboard without its full employee list (the drill-down page's and the exports' business). */
export type DashboardData = Omit<Dashboard, 'byEmployee'>
export type EmployeeDetailData = Awaited<ReturnType<typeof employeeDetail>>
export type RecordsPage = Awaited<ReturnType<typeof records>>
export type RecordRow = RecordsPage['data'][number]
export type WasteData = Awaited<ReturnType<typeof unusedLicences>>
export type { Anomaly, EmployeeRow }

export interface DashboardProps {
  customer: InsightsCustomer
  base: string
  range: InsightsRange
  data: DashboardData
}

export interface EmployeesFilter {
  period?: string
  category?: string
  departmentId?: number
  department?: string | null
}

export interface EmployeesProps {
  customer: InsightsCustomer
  base: string
  range: InsightsRange
  filter: EmployeesFilter
  categories: string[]
  rows: EmployeeRow[]
  totalMinor: number
}

export interface EmployeeInfo {
  id: number
  name: string
  email: string | null
  employeeNumber: string | null
  department: string | null
}

export interface EmployeeProps {
  customer: InsightsCustomer
  base: string
  statementUrl: string | null
  range: InsightsRange
  employee: EmployeeInfo
  detail: EmployeeDetailData
  records: RecordsPage & { period: string; category: string | null }
}

export interface WasteProps {
  customer: InsightsCustomer
  base: string
  waste: WasteData
}

export interface AnomaliesProps {
  customer: InsightsCustomer
  base: string
  period: string
  previous: string
  next: string
  anomalies: Anomaly[]
}

/** Margin across customers (insights/margin, staff only): the report and the filter it was made with. */
export type MarginProps = {
  report: MarginReport
  filter: { customerId: number | null; currency: string; category: string | null }
}
