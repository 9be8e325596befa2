import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type Customer from '#models/customer'
import type Service from '#models/service'
import { SERVICE_KINDS, type ServiceKind } from '#models/service'
import Employee from '#models/employee'
import Assignment from '#models/assignment'
import { sqlDateTime } from '#consolidation/assignments'
import { KIND_LABELS } from '#consolidation/services'
import { localTime, localTimeOf, money } from '#consolidation/queries'
import { employeeOptions, type EmployeeOption } from '#consolidation/pickers'
import { isoDayOf } from '#lib/iso_time'

export type ServiceListRow = Awaited<ReturnType<typeof serviceList>>[number]

/** A customer's services with who holds each now, filtered by search (identifier, label, holder) and kind. */
export async function serviceList(customer: Customer, filter: { search: string; kind: string }) {
  const { search, kind } = filter
  const now = sqlDateTime(DateTime.utc())
  const services = await db
    .from('services as s')
    .leftJoin('assignments as a', (j) =>
      j
        .on('a.service_id', 's.id')
        .andOnVal('a.starts_at', '<=', now)
        .andOn((q) => q.onNull('a.ends_at').orOnVal('a.ends_at', '>', now))
    )
    .leftJoin('employees as e', 'e.id', 'a.employee_id')
    .where('s.customer_id', customer.id)
    .if(search, (q) =>
      q.where((w) =>
        w
          .whereILike('s.identifier', `%${search}%`)
          .orWhereILike('s.label', `%${search}%`)
          .orWhereILike('e.name', `%${search}%`)
      )
    )
    .if((SERVICE_KINDS as readonly string[]).includes(kind), (q) => q.where('s.kind', kind))
    .select(
      's.id',
      's.kind',
      's.identifier',
      's.label',
      'a.employee_id',
      'e.name as employee',
      'a.starts_at'
    )
    .orderBy('s.kind')
    .orderBy('s.identifier')
    .limit(2000)
  return services.map((s) => ({
    id: Number(s.id),
    kind: KIND_LABELS[s.kind as keyof typeof KIND_LABELS] ?? (s.kind as string),
    identifier: s.identifier as string,
    label: s.label as string | null,
    employeeId: s.employee_id === null ? null : Number(s.employee_id),
    employee: s.employee as string | null,
    since: localTime(s.starts_at, customer.timeZone),
  }))
}

/** Active employees of a customer, for the "assign to" pickers. */
export async function activeEmployees(customerId: number): Promise<{ id: number; name: string }[]> {
  const employees = await Employee.query()
    .where('customer_id', customerId)
    .where('active', true)
    .orderBy('name')
    .select('id', 'name')
  return employees.map((e) => ({ id: e.id, name: e.name }))
}

/** services/index. */
export type ServiceIndexProps = {
  customer: { id: number; name: string; timeZone: string }
  search: string
  kind: string
  kinds: { value: ServiceKind; label: string }[]
  employees: { id: number; name: string }[]
  employeeOptions: EmployeeOption[]
  /** Today in the customer's zone, the default start of an assignment. */
  today: string
  services: ServiceListRow[]
}

/** A customer's services, filtered by search and kind, with the pickers of the add and assign forms. */
export async function serviceIndexProps(
  customer: Customer,
  filter: { search: string; kind: string }
): Promise<ServiceIndexProps> {
  return {
    customer: { id: customer.id, name: customer.name, timeZone: customer.timeZone },
    search: filter.search,
    kind: filter.kind,
    kinds: SERVICE_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] })),
    employees: await activeEmployees(customer.id),
    employeeOptions: await employeeOptions(customer.id),
    today: isoDayOf(DateTime.now().setZone(customer.timeZone)),
    services: await serviceList(customer, filter),
  }
}

/** Who held the service from when to when, in the customer's zone ("yyyy-MM-dd HH:mm"). */
export type ServiceHolderView = {
  id: number
  employeeId: number
  employee: string
  startsAt: string
  endsAt: string | null
  current: boolean
}

/** A month of the service's usage by one holder (null: nobody held it). */
export type ServiceMonthView = {
  period: string
  employee: string | null
  records: number
  cost: string
  price: string
}

export type ServiceRecordView = {
  id: number
  occurredAt: string
  category: string
  destination: string | null
  durationS: number
  employee: string | null
  cost: string | null
  price: string | null
  billed: boolean
}

/** services/show. */
export type ServiceShowProps = {
  customer: { id: number; name: string; timeZone: string }
  service: { id: number; kind: string; identifier: string; label: string | null }
  /** Today in the customer's zone, the default date of "assign" and "end". */
  today: string
  employees: { id: number; name: string }[]
  employeeOptions: EmployeeOption[]
  history: ServiceHolderView[]
  months: ServiceMonthView[]
  latest: ServiceRecordView[]
}

/** Who held a service when, newest first. */
export async function serviceHistory(
  service: Service,
  timeZone: string
): Promise<ServiceHolderView[]> {
  const assignments = await Assignment.query()
    .where('service_id', service.id)
    .preload('employee')
    .orderBy('starts_at', 'desc')
  const nowMs = Date.now()
  return assignments.map((a) => ({
    id: a.id,
    employeeId: a.employeeId,
    employee: a.employee?.name ?? `#${a.employeeId}`,
    startsAt: localTimeOf(a.startsAt.toJSDate(), timeZone),
    endsAt: a.endsAt ? localTimeOf(a.endsAt.toJSDate(), timeZone) : null,
    current: a.startsAt.toMillis() <= nowMs && (!a.endsAt || a.endsAt.toMillis() > nowMs),
  }))
}

/** The service's last 60 months per holder, from the rollups. */
async function serviceMonths(service: Service, customer: Customer): Promise<ServiceMonthView[]> {
  const months = await db
    .from('monthly_rollups as m')
    .leftJoin('employees as e', 'e.id', 'm.employee_id')
    .where('m.customer_id', customer.id)
    .where('m.service_id', service.id)
    .groupBy('m.period', 'm.employee_id', 'e.name')
    .select('m.period', 'm.employee_id', 'e.name')
    .sum('m.record_count as records')
    .sum('m.cost_e4 as cost_e4')
    .sum('m.price_e4 as price_e4')
    .orderBy('m.period', 'desc')
    .limit(60)
  return months.map((m) => ({
    period: m.period as string,
    employee:
      Number(m.employee_id) === 0 ? null : ((m.name as string | null) ?? `#${m.employee_id}`),
    records: Number(m.records),
    cost: money(Number(m.cost_e4), customer.currency),
    price: money(Number(m.price_e4), customer.currency),
  }))
}

/** The 50 latest usage records of the service's identifier. */
async function latestRecords(service: Service, customer: Customer): Promise<ServiceRecordView[]> {
  const latest = await db
    .from('usage_records as r')
    .leftJoin('employees as e', 'e.id', 'r.employee_id')
    .where('r.customer_id', customer.id)
    .where('r.identifier', service.identifier)
    .orderBy('r.occurred_at', 'desc')
    .limit(50)
    .select(
      'r.id',
      'r.occurred_at',
      'r.category',
      'r.destination',
      'r.destination_name',
      'r.duration_s',
      'r.price_e4',
      'r.cost_e4',
      'r.invoice_id',
      'e.name as employee'
    )
  return latest.map((r) => ({
    id: Number(r.id),
    occurredAt: localTimeOf(r.occurred_at, customer.timeZone),
    category: r.category as string,
    destination: (r.destination_name ?? r.destination) as string | null,
    durationS: Number(r.duration_s),
    employee: r.employee as string | null,
    cost: r.cost_e4 === null ? null : money(Number(r.cost_e4), customer.currency),
    price: r.price_e4 === null ? null : money(Number(r.price_e4), customer.currency),
    billed: r.invoice_id !== null,
  }))
}

/** A service's page: who holds it and held it, its months per holder and its latest records. */
export async function serviceShowProps(
  service: Service,
  customer: Customer
): Promise<ServiceShowProps> {
  const tz = customer.timeZone
  const months = await serviceMonths(service, customer)
  const latest = await latestRecords(service, customer)
  return {
    customer: { id: customer.id, name: customer.name, timeZone: tz },
    service: {
      id: service.id,
      kind: KIND_LABELS[service.kind],
      identifier: service.identifier,
      label: service.label,
    },
    today: isoDayOf(DateTime.now().setZone(tz)),
    employees: await activeEmployees(customer.id),
    employeeOptions: await employeeOptions(customer.id),
    history: await serviceHistory(service, tz),
    months,
    latest,
  }
}
