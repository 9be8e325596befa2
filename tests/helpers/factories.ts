/**
 * Test data, one place and one naming: `make<Model>(…)` creates a row through its Lucid factory
 * (database/factories) and returns the model. Defaults are plain and unique per call; pass only
 * the attributes a test is about. For several rows or relations use the factories directly, e.g.
 * `CustomerFactory.with('employees', 3).create()`.
 */
import { DateTime } from 'luxon'
import type User from '#models/user'
import type { UserRole } from '#models/user'
import type Customer from '#models/customer'
import type Department from '#models/department'
import type Employee from '#models/employee'
import type Service from '#models/service'
import type Assignment from '#models/assignment'
import type Tariff from '#models/tariff'
import type Rate from '#models/rate'
import { CustomerFactory } from '#database/factories/customer_factory'
import { UserFactory } from '#database/factories/user_factory'
import { DepartmentFactory } from '#database/factories/department_factory'
import { EmployeeFactory } from '#database/factories/employee_factory'
import { ServiceFactory } from '#database/factories/service_factory'
import { AssignmentFactory } from '#database/factories/assignment_factory'
import { TariffFactory } from '#database/factories/tariff_factory'
import { RateFactory } from '#database/factories/rate_factory'
import { CustomerTariffFactory } from '#database/factories/customer_tariff_factory'

/** Attributes a factory accepts for a model (columns only, no methods or relations). */
type Attrs<M> = Partial<{
  [K in keyof M as M[K] extends (...args: any[]) => any ? never : K]: M[K]
}>

/** A UK customer (GBP, 20% VAT, billed monthly in advance). */
export async function makeCustomer(attrs: Attrs<Customer> = {}) {
  return CustomerFactory.merge(attrs).create()
}

/** A staff user of the given role, or a `portal` user (pass `customerId`). Password: secret-password. */
export async function makeUser(role: UserRole, attrs: Attrs<User> = {}) {
  return UserFactory.apply(role).merge(attrs).create()
}

export async function makeDepartment(customer: { id: number }, attrs: Attrs<Department> = {}) {
  return DepartmentFactory.merge({ customerId: customer.id, ...attrs }).create()
}

/** An active employee of the customer (no department unless given). */
export async function makeEmployee(customer: { id: number }, attrs: Attrs<Employee> = {}) {
  return EmployeeFactory.merge({ customerId: customer.id, ...attrs }).create()
}

/** A mobile number of the customer (unique within the run unless `identifier` is given). */
export async function makeService(customer: { id: number }, attrs: Attrs<Service> = {}) {
  return ServiceFactory.merge({ customerId: customer.id, ...attrs }).create()
}

/** The employee holds the service from `startsAt` (default 2026-01-01, open-ended). */
export async function makeAssignment(
  service: { id: number },
  employee: { id: number },
  attrs: Attrs<Assignment> = {}
) {
  return AssignmentFactory.merge({
    serviceId: service.id,
    employeeId: employee.id,
    ...attrs,
  }).create()
}

/** A GBP sell tariff; returns its id (the rating helpers below work with ids). */
export async function makeTariff(name: string, markupBp = 0, attrs: Attrs<Tariff> = {}) {
  const tariff = await TariffFactory.merge({
    name,
    defaultMarkupBp: markupBp,
    ...attrs,
  }).create()
  return tariff.id
}

/** A rate on a tariff: one price for all bands or [peak, off-peak, weekend], in micros. */
export async function addRate(
  tariffId: number,
  r: {
    prefix: string
    category: string
    destination?: string
    micros: number | [number, number, number]
    connection?: number
    minimum?: number
    increments?: [number, number]
    effectiveFrom?: string
  }
): Promise<Rate> {
  const [peak, offpeak, weekend] = Array.isArray(r.micros)
    ? r.micros
    : [r.micros, r.micros, r.micros]
  return RateFactory.merge({
    tariffId,
    prefix: r.prefix,
    destination: r.destination ?? `Dest ${r.prefix || r.category}`,
    category: r.category,
    peakMicros: peak,
    offpeakMicros: offpeak,
    weekendMicros: weekend,
    connectionMicros: r.connection ?? 0,
    minimumMicros: r.minimum ?? 0,
    initialS: r.increments?.[0] ?? 60,
    subsequentS: r.increments?.[1] ?? 60,
    effectiveFrom: DateTime.fromISO(r.effectiveFrom ?? '2026-01-01'),
  }).create()
}

/** The customer is billed on the tariff from `startsOn` (YYYY-MM-DD) until `endsOn` (or open-ended). */
export async function putOnTariff(
  customerId: number,
  tariffId: number,
  startsOn = '2026-01-01',
  endsOn: string | null = null
) {
  return CustomerTariffFactory.merge({
    customerId,
    tariffId,
    startsOn: DateTime.fromISO(startsOn),
    endsOn: endsOn === null ? null : DateTime.fromISO(endsOn),
  }).create()
}
