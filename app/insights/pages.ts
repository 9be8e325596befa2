import type { HttpContext } from '@adonisjs/core/http'
import { sendDownload } from '#lib/downloads'
import type Customer from '#models/customer'
import type Employee from '#models/employee'
import Department from '#models/department'
import { marginReport } from '#insights/margin'
import {
  ACCOUNT_CHARGES,
  ACCOUNT_DEPARTMENT,
  UNALLOCATED,
  UNALLOCATED_DEPARTMENT,
} from '#insights/money_model'
import {
  categoriesOf,
  dashboard,
  employeeBreakdown,
  employeeDetail,
  records,
  resolveMarginRange,
  resolveRange,
  type Range,
} from '#insights/queries'
import { findAnomalies } from '#insights/anomalies'
import { unusedLicences } from '#insights/waste'
import { sendExport, type ExportTable } from '#insights/export'
import { addMonths } from '#insights/periods'
import {
  DASHBOARD_TABLES,
  anomaliesTable,
  dashboardTables,
  employeeLinesTable,
  employeesTable,
  MARGIN_TABLES,
  marginTables,
  type MarginTable,
  recordsTable,
  wasteTable,
  type DashboardTable,
} from '#insights/views'
import { htmlToPdf, statementHtml } from '#insights/statement'
import { cached } from '#insights/cache'
import type { MarginProps } from '#insights/page_props'

/**
 * The insights views, shared by the staff pages (/customers/:id/insights…) and the customer portal
 * (/portal…). Each one answers with Inertia props, or with a CSV/XLSX file when ?format= is given.
 * `base` is the URL prefix of the views for links (drill-down, exports).
 */

type Ctx = HttpContext
export type Links = { base: string; statement: (employeeId: number) => string }

/** The validated query string of an insights view (the controller validates: app/validators/insights.ts). */
export type InsightsQuery = {
  from?: string
  to?: string
  period?: string
  category?: string
  departmentId?: number
  page?: number
  format?: 'csv' | 'xlsx'
  table?: string
}
export type MarginQuery = {
  from?: string
  to?: string
  customerId?: number
  currency?: string
  category?: string
  format?: 'csv' | 'xlsx'
  table?: string
}

const customerProps = (c: Customer) => ({
  id: c.id,
  name: c.name,
  accountNumber: c.accountNumber,
  currency: c.currency,
  timeZone: c.timeZone,
  miAddon: c.miAddon,
})

function exportName(customer: Customer, view: string, range?: Range) {
  return `${customer.accountNumber}-${view}${range ? `-${range.from}-to-${range.to}` : ''}`
}

/** The file when `exportWith.format` asks for one, the page otherwise (typed by its props, for page_props_check). */
async function answer<Props extends Record<string, unknown>>(
  ctx: Ctx,
  page: string,
  props: Props,
  exportWith: {
    format?: 'csv' | 'xlsx'
    name: string
    tables: () => ExportTable[] | Promise<ExportTable[]>
  }
) {
  if (exportWith.format)
    return sendExport(ctx.response, exportWith.format, exportWith.name, await exportWith.tables())
  return ctx.inertia.render(page, props)
}

export async function dashboardView(
  ctx: Ctx,
  q: InsightsQuery,
  page: string,
  customer: Customer,
  links: Links
) {
  const range = await resolveRange(customer.id, q)
  const data = await cached(customer, `dashboard|${range.from}|${range.to}`, () =>
    dashboard(customer.id, range)
  )
  const table = (DASHBOARD_TABLES as readonly string[]).includes(q.table ?? '')
    ? (q.table as DashboardTable)
    : null
  // The full employee list (500+ rows) is the drill-down page's and the exports' business, not the dashboard's.
  const { byEmployee, ...shown } = data
  return answer(
    ctx,
    page,
    { customer: customerProps(customer), base: links.base, range, data: shown },
    {
      format: q.format,
      name: exportName(
        customer,
        table && q.format === 'csv' ? `insights-${table}` : 'insights',
        range
      ),
      tables: () => {
        void byEmployee
        const all = dashboardTables(data)
        return q.format === 'csv' ? [all[table ?? 'trend']] : DASHBOARD_TABLES.map((t) => all[t])
      },
    }
  )
}

/** Drill-down: the employees behind a month, a category or a department. */
export async function employeesView(
  ctx: Ctx,
  q: InsightsQuery,
  page: string,
  customer: Customer,
  links: Links
) {
  const range = await resolveRange(customer.id, q)
  const filter = { period: q.period, category: q.category, departmentId: q.departmentId }
  let department: string | null = null
  if (q.departmentId === UNALLOCATED_DEPARTMENT) department = UNALLOCATED
  else if (q.departmentId === ACCOUNT_DEPARTMENT) department = ACCOUNT_CHARGES
  else if (q.departmentId !== undefined && q.departmentId > 0) {
    const d = await Department.query()
      .where('id', q.departmentId)
      .where('customer_id', customer.id)
      .first()
    if (!d) return ctx.response.notFound('Not found')
    department = d.name
  }
  const key = `employees|${range.from}|${range.to}|${filter.period ?? ''}|${filter.category ?? ''}|${filter.departmentId ?? ''}`
  const [breakdown, categories] = await cached(customer, key, () =>
    Promise.all([employeeBreakdown(customer.id, range, filter), categoriesOf(customer.id, range)])
  )
  return answer(
    ctx,
    page,
    {
      customer: customerProps(customer),
      base: links.base,
      range,
      filter: { ...filter, department },
      categories,
      rows: breakdown.rows,
      totalMinor: breakdown.totalMinor,
    },
    {
      format: q.format,
      name: exportName(customer, 'employees', range),
      tables: () => [employeesTable(breakdown.rows)],
    }
  )
}

/** One employee: trend by category, month lines, and the records behind a month/category. */
export async function employeeView(
  ctx: Ctx,
  q: InsightsQuery,
  page: string,
  customer: Customer,
  employee: Employee | null,
  employeeId: number,
  links: Links
) {
  const range = await resolveRange(customer.id, q)
  const detail = await employeeDetail(customer.id, employeeId, range)
  const recordPeriod =
    q.period ?? [...detail.trend].reverse().find((t) => t.amountMinor !== 0)?.period ?? range.to
  const wantRecords = q.table === 'records'
  const recordPage = await records(
    customer.id,
    { period: recordPeriod, employeeId, category: q.category },
    q.page ?? 1,
    wantRecords && q.format ? 5000 : 50
  )
  if (employee && !employee.$preloaded.department) await employee.load('department')
  const info = employee
    ? {
        id: employee.id,
        name: employee.name,
        email: employee.email,
        employeeNumber: employee.employeeNumber,
        department: employee.department?.name ?? null,
      }
    : { id: 0, name: 'Unallocated', email: null, employeeNumber: null, department: null }
  return answer(
    ctx,
    page,
    {
      customer: customerProps(customer),
      base: links.base,
      statementUrl: employee ? links.statement(employee.id) : null,
      range,
      employee: info,
      detail,
      records: { period: recordPeriod, category: q.category ?? null, ...recordPage },
    },
    {
      format: q.format,
      name: exportName(
        customer,
        wantRecords ? `employee-${employeeId}-records-${recordPeriod}` : `employee-${employeeId}`,
        wantRecords ? undefined : range
      ),
      tables: () =>
        wantRecords
          ? [recordsTable(recordPage.data, customer.timeZone)]
          : [employeeLinesTable(detail.lines), recordsTable(recordPage.data, customer.timeZone)],
    }
  )
}

export async function wasteView(
  ctx: Ctx,
  q: InsightsQuery,
  page: string,
  customer: Customer,
  links: Links
) {
  const waste = await unusedLicences(customer.id)
  return answer(
    ctx,
    page,
    { customer: customerProps(customer), base: links.base, waste },
    {
      format: q.format,
      name: exportName(customer, `unused-licences-${waste.asOf}`),
      tables: () => [wasteTable(waste.licences)],
    }
  )
}

export async function anomaliesView(
  ctx: Ctx,
  q: InsightsQuery,
  page: string,
  customer: Customer,
  links: Links
) {
  const range = await resolveRange(customer.id, q)
  const period = q.period ?? range.to
  const anomalies = await findAnomalies(customer.id, period)
  return answer(
    ctx,
    page,
    {
      customer: customerProps(customer),
      base: links.base,
      period,
      previous: addMonths(period, -1),
      next: addMonths(period, 1),
      anomalies,
    },
    {
      format: q.format,
      name: exportName(customer, `anomalies-${period}`),
      tables: () => [anomaliesTable(anomalies)],
    }
  )
}

export async function statementPdf(
  ctx: Ctx,
  q: InsightsQuery,
  customer: Customer,
  employee: Employee
) {
  const range = await resolveRange(customer.id, q)
  const detail = await employeeDetail(customer.id, employee.id, range)
  await employee.load('department')
  const html = statementHtml({
    customer: {
      name: customer.name,
      accountNumber: customer.accountNumber,
      currency: customer.currency,
    },
    employee: {
      name: employee.name,
      employeeNumber: employee.employeeNumber,
      department: employee.department?.name ?? null,
      email: employee.email,
    },
    range,
    detail,
  })
  const pdf = await htmlToPdf(html)
  const name = `statement-${customer.accountNumber}-${employee.employeeNumber ?? employee.id}-${range.from}-to-${range.to}.pdf`
  return sendDownload(ctx.response, { filename: name, contentType: 'application/pdf', body: pdf })
}

/** Admin MI only (never the portal): margin per month, customer, category and destination. */
export async function marginView(ctx: Ctx, q: MarginQuery, page: string) {
  const range = await resolveMarginRange(q)
  const report = await marginReport(range, {
    customerId: q.customerId,
    currency: q.currency,
    category: q.category,
  })
  const table = (MARGIN_TABLES as readonly string[]).includes(q.table ?? '')
    ? (q.table as MarginTable)
    : 'month'
  const scope = report.customerId
    ? (report.customers.find((c) => c.id === report.customerId)?.name ?? 'customer')
    : `all-${report.currency}`
  const props: MarginProps = {
    report,
    filter: {
      customerId: report.customerId,
      currency: report.currency,
      category: q.category ?? null,
    },
  }
  return answer(ctx, page, props, {
    format: q.format,
    name: `margin-${scope}${q.category ? `-${q.category}` : ''}${q.format === 'csv' ? `-${table}` : ''}-${range.from}-to-${range.to}`,
    tables: () => {
      const all = marginTables(report)
      return q.format === 'csv' ? [all[table]] : MARGIN_TABLES.map((t) => all[t])
    },
  })
}
