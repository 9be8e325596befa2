import type Customer from '#models/customer'
import type Department from '#models/department'
import Employee from '#models/employee'
import Service from '#models/service'
import Assignment from '#models/assignment'
import { formatScaled } from '#lib/money'
import { sqlDateTime } from '#consolidation/assignments'
import { KIND_LABELS } from '#consolidation/services'
import { DateTime } from 'luxon'
import { pageOf } from '#api/pagination'
import { instant } from '#api/serialize'

/** The JSON shapes of /api/v1 for customers, departments, employees, services and assignments. */

export function customerJson(c: Customer) {
  return {
    id: c.id,
    accountNumber: c.accountNumber,
    name: c.name,
    billingEmail: c.billingEmail,
    billingContacts: c.billingContacts,
    address: c.address,
    vatNumber: c.vatNumber,
    /** Percentage as text, exact ("20", "5.5"). */
    taxRate: formatScaled(c.taxRateBp, 2).replace(/\.00$/, ''),
    taxRateBp: c.taxRateBp,
    currency: c.currency,
    timeZone: c.timeZone,
    paymentTermsDays: c.paymentTermsDays,
    billDay: c.billDay,
    recurringBilling: c.recurringBilling,
    itemiseCalls: Boolean(c.itemiseCalls),
    invoiceTemplate: c.invoiceTemplate,
    employeeCount:
      c.$extras.employees_count === undefined ? undefined : Number(c.$extras.employees_count),
    createdAt: instant(c.createdAt),
  }
}

export function departmentJson(
  d:
    | Department
    | {
        id: number
        customerId: number
        name: string
        costCentre: string | null
        employees?: number
      }
) {
  return {
    id: d.id,
    customerId: d.customerId,
    name: d.name,
    costCentre: d.costCentre,
    employees: 'employees' in d && typeof d.employees === 'number' ? d.employees : undefined,
  }
}

export function employeeJson(e: Employee) {
  return {
    id: e.id,
    customerId: e.customerId,
    name: e.name,
    email: e.email,
    employeeNumber: e.employeeNumber,
    departmentId: e.departmentId,
    active: Boolean(e.active),
  }
}

export function assignmentJson(a: Assignment) {
  return {
    id: a.id,
    serviceId: a.serviceId,
    employeeId: a.employeeId,
    startsAt: instant(a.startsAt),
    endsAt: instant(a.endsAt),
  }
}

export function serviceJson(
  s: Service,
  holder: { employeeId: number; since: DateTime } | null = null
) {
  return {
    id: s.id,
    customerId: s.customerId,
    kind: s.kind,
    kindLabel: KIND_LABELS[s.kind] ?? s.kind,
    identifier: s.identifier,
    label: s.label,
    employeeId: holder?.employeeId ?? null,
  }
}

export async function employeePage(
  customerId: number,
  filter: { search?: string; departmentId?: number; page: number; perPage: number }
) {
  const { search } = filter
  const page = await Employee.query()
    .where('customer_id', customerId)
    .if(search, (q) =>
      q.where((w) =>
        w
          .whereILike('name', `%${search}%`)
          .orWhereILike('email', `%${search}%`)
          .orWhereILike('employee_number', `%${search}%`)
      )
    )
    .if(filter.departmentId, (q) => q.where('department_id', filter.departmentId!))
    .orderBy('name')
    .orderBy('id')
    .paginate(filter.page, filter.perPage)
  return pageOf(page, employeeJson)
}

/** Who holds each of these services now. */
async function holdersNow(serviceIds: number[]) {
  if (!serviceIds.length) return new Map<number, { employeeId: number; since: DateTime }>()
  const now = sqlDateTime(DateTime.utc())
  const current = await Assignment.query()
    .whereIn('service_id', serviceIds)
    .where('starts_at', '<=', now)
    .where((q) => q.whereNull('ends_at').orWhere('ends_at', '>', now))
  return new Map(current.map((a) => [a.serviceId, { employeeId: a.employeeId, since: a.startsAt }]))
}

export async function servicePage(
  customerId: number,
  filter: { search?: string; kind?: string; page: number; perPage: number }
) {
  const { search, kind } = filter
  const page = await Service.query()
    .where('customer_id', customerId)
    .if(search, (q) =>
      q.where((w) => w.whereILike('identifier', `%${search}%`).orWhereILike('label', `%${search}%`))
    )
    .if(kind, (q) => q.where('kind', kind!))
    .orderBy('kind')
    .orderBy('identifier')
    .paginate(filter.page, filter.perPage)
  const holders = await holdersNow(page.all().map((s) => s.id))
  return pageOf(page, (s: Service) => serviceJson(s, holders.get(s.id) ?? null))
}

export async function serviceWithHolder(service: Service) {
  const holders = await holdersNow([service.id])
  const history = await Assignment.query()
    .where('service_id', service.id)
    .orderBy('starts_at', 'desc')
  return {
    ...serviceJson(service, holders.get(service.id) ?? null),
    assignments: history.map(assignmentJson),
  }
}
