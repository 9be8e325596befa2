import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type Customer from '#models/customer'
import Employee from '#models/employee'
import Department from '#models/department'
import Assignment from '#models/assignment'
import { sqlDateTime } from '#consolidation/assignments'
import { employeeMonths, localTimeOf, money } from '#consolidation/queries'
import { KIND_LABELS } from '#consolidation/services'

export type EmployeeListRow = Awaited<ReturnType<typeof employeeList>>[number]

/** A customer's employees with their current services and the month's price (the employees page). */
export async function employeeList(
  customer: Customer,
  filter: { search: string; departmentId: number; period: string }
) {
  const { search, departmentId, period } = filter
  const now = sqlDateTime(DateTime.utc())
  const employees = await db
    .from('employees as e')
    .leftJoin('departments as d', 'd.id', 'e.department_id')
    .where('e.customer_id', customer.id)
    .if(search, (q) =>
      q.where((w) =>
        w
          .whereILike('e.name', `%${search}%`)
          .orWhereILike('e.email', `%${search}%`)
          .orWhereILike('e.employee_number', `%${search}%`)
      )
    )
    .if(departmentId, (q) => q.where('e.department_id', departmentId))
    .select(
      'e.id',
      'e.name',
      'e.email',
      'e.employee_number',
      'e.active',
      'e.department_id',
      'd.name as department'
    )
    .select(
      db.raw(
        '(SELECT COUNT(*) FROM assignments a WHERE a.employee_id = e.id AND a.starts_at <= ? AND (a.ends_at IS NULL OR a.ends_at > ?)) as services',
        [now, now]
      ),
      db.raw(
        '(SELECT COALESCE(SUM(m.price_e4), 0) FROM monthly_rollups m WHERE m.customer_id = e.customer_id AND m.employee_id = e.id AND m.period = ?) as month_price',
        [period]
      )
    )
    .orderBy('e.name')
    .limit(2000)
  return employees.map((e) => ({
    id: Number(e.id),
    name: e.name as string,
    email: e.email as string | null,
    employeeNumber: e.employee_number as string | null,
    active: Boolean(e.active),
    departmentId: e.department_id as number | null,
    department: e.department as string | null,
    services: Number(e.services),
    monthPrice: money(Number(e.month_price), customer.currency),
  }))
}

/** employees/index: the month shown is `period`; `departmentId` 0 is every department. */
export type EmployeeIndexProps = {
  customer: { id: number; name: string }
  search: string
  departmentId: number
  period: string
  departments: { id: number; name: string }[]
  employees: EmployeeListRow[]
}

export async function employeeIndexProps(
  customer: Customer,
  filter: { search: string; departmentId: number; period: string }
): Promise<EmployeeIndexProps> {
  return {
    customer: { id: customer.id, name: customer.name },
    ...filter,
    departments: await departmentOptions(customer.id),
    employees: await employeeList(customer, filter),
  }
}

/** The picker list of a customer's departments. */
export async function departmentOptions(
  customerId: number
): Promise<{ id: number; name: string }[]> {
  const departments = await Department.query().where('customer_id', customerId).orderBy('name')
  return departments.map((d) => ({ id: d.id, name: d.name }))
}

/** A DATE column as "yyyy-MM-dd" (a Date from MySQL, text from SQLite). */
function isoDay(value: unknown): string {
  return value instanceof Date
    ? (DateTime.fromJSDate(value).toISODate() ?? '')
    : String(value).slice(0, 10)
}

export type EmployeeHeaderView = {
  id: number
  name: string
  email: string | null
  employeeNumber: string | null
  active: boolean
  departmentId: number | null
  department: string | null
}

/** A service the employee holds or held; times in the customer's zone ("yyyy-MM-dd HH:mm"). */
export type EmployeeAssignmentView = {
  id: number
  serviceId: number
  kind: string
  identifier: string
  label: string | null
  startsAt: string
  endsAt: string | null
  current: boolean
}

export type EmployeeMonthView = Awaited<ReturnType<typeof employeeMonths>>[number]

/** One of the latest usage records; money formatted, null while unrated. */
export type EmployeeRecordView = {
  id: number
  identifier: string
  occurredAt: string
  category: string
  destination: string | null
  durationS: number
  volumeBytes: number
  cost: string | null
  price: string | null
  status: string
  billed: boolean
}

export type EmployeeRecurringView = {
  id: number
  description: string
  category: string
  quantity: number
  unitPrice: string
  startsOn: string
  endsOn: string | null
}

/** employees/show. */
export type EmployeeDetail = {
  customer: { id: number; name: string; timeZone: string }
  employee: EmployeeHeaderView
  departments: { id: number; name: string }[]
  assignments: EmployeeAssignmentView[]
  months: EmployeeMonthView[]
  latest: EmployeeRecordView[]
  recurring: EmployeeRecurringView[]
}

async function employeeHeader(employee: Employee): Promise<EmployeeHeaderView> {
  await employee.load('department')
  return {
    id: employee.id,
    name: employee.name,
    email: employee.email,
    employeeNumber: employee.employeeNumber,
    active: employee.active,
    departmentId: employee.departmentId,
    department: employee.department?.name ?? null,
  }
}

/** Newest first; `current` when it covers this moment. */
async function employeeAssignments(
  employeeId: number,
  timeZone: string
): Promise<EmployeeAssignmentView[]> {
  const assignments = await Assignment.query()
    .where('employee_id', employeeId)
    .preload('service')
    .orderBy('starts_at', 'desc')
  const nowMs = Date.now()
  return assignments.map((a) => ({
    id: a.id,
    serviceId: a.serviceId,
    kind: KIND_LABELS[a.service.kind] ?? a.service.kind,
    identifier: a.service.identifier,
    label: a.service.label,
    startsAt: localTimeOf(a.startsAt.toJSDate(), timeZone),
    endsAt: a.endsAt ? localTimeOf(a.endsAt.toJSDate(), timeZone) : null,
    current: a.startsAt.toMillis() <= nowMs && (!a.endsAt || a.endsAt.toMillis() > nowMs),
  }))
}

/** The employee's 50 latest usage records. */
async function latestRecords(
  customer: Customer,
  employeeId: number
): Promise<EmployeeRecordView[]> {
  const rows = await db
    .from('usage_records')
    .where('customer_id', customer.id)
    .where('employee_id', employeeId)
    .orderBy('occurred_at', 'desc')
    .limit(50)
    .select(
      'id',
      'identifier',
      'occurred_at',
      'period',
      'category',
      'destination',
      'destination_name',
      'duration_s',
      'volume_bytes',
      'cost_e4',
      'price_e4',
      'rating_status',
      'invoice_id'
    )
  return rows.map((r) => ({
    id: Number(r.id),
    identifier: r.identifier,
    occurredAt: localTimeOf(r.occurred_at, customer.timeZone),
    category: r.category,
    destination: r.destination_name ?? r.destination,
    durationS: Number(r.duration_s),
    volumeBytes: Number(r.volume_bytes),
    cost: r.cost_e4 === null ? null : money(Number(r.cost_e4), customer.currency),
    price: r.price_e4 === null ? null : money(Number(r.price_e4), customer.currency),
    status: r.rating_status,
    billed: r.invoice_id !== null,
  }))
}

async function recurringCharges(
  employeeId: number,
  currency: string
): Promise<EmployeeRecurringView[]> {
  const rows = await db
    .from('recurring_charges')
    .where('employee_id', employeeId)
    .orderBy('starts_on', 'desc')
    .select('id', 'description', 'category', 'quantity', 'unit_price_e4', 'starts_on', 'ends_on')
  return rows.map((r) => ({
    id: Number(r.id),
    description: r.description,
    category: r.category,
    quantity: Number(r.quantity),
    unitPrice: money(Number(r.unit_price_e4), currency),
    startsOn: isoDay(r.starts_on),
    endsOn: r.ends_on ? isoDay(r.ends_on) : null,
  }))
}

/** One employee's page: who they are, their services over time, months, latest records, recurring charges. */
export async function employeeDetail(
  employee: Employee,
  customer: Customer
): Promise<EmployeeDetail> {
  const tz = customer.timeZone
  const assignments = await employeeAssignments(employee.id, tz)
  const latest = await latestRecords(customer, employee.id)
  const recurring = await recurringCharges(employee.id, customer.currency)
  return {
    customer: { id: customer.id, name: customer.name, timeZone: tz },
    employee: await employeeHeader(employee),
    departments: await departmentOptions(customer.id),
    assignments,
    months: await employeeMonths(customer.id, employee.id, customer.currency),
    latest,
    recurring,
  }
}
