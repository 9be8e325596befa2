import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type Customer from '#models/customer'
import Service, { type ServiceKind } from '#models/service'
import Employee from '#models/employee'
import type Assignment from '#models/assignment'
import { audit } from '#lib/audit'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import {
  affectedPeriods,
  assignService,
  deleteAssignment,
  endService,
  localMidnight,
} from '#consolidation/assignments'
import { KIND_LABELS, normaliseIdentifier } from '#consolidation/services'
import { ConsolidationError, type Actor } from '#consolidation/admin_errors'

/** A new service as the form and the API send it; `from` is a date in the customer's zone. */
export interface ServiceFields {
  kind: ServiceKind
  identifier: string
  label?: string | null
  employeeId?: number | null
  from?: string | null
}

/** Unbilled records of the identifier (from an instant on) follow the change: re-mapped, re-rated, rolled up. */
async function refreshFrom(customerId: number, identifier: string, from: DateTime | null) {
  const periods = await affectedPeriods(customerId, identifier, from)
  if (periods.length) await afterUsageChange(customerId, periods)
}

/** An employee of another customer is not found (404), as if it did not exist. */
function employeeOf(customerId: number, employeeId: number) {
  return Employee.query().where('id', employeeId).where('customer_id', customerId).firstOrFail()
}

/** Adds a number, extension, licence … to a customer, optionally held by an employee from a date. */
export async function createService(customer: Customer, input: ServiceFields, actor: Actor) {
  const identifier = normaliseIdentifier(input.kind, input.identifier)
  if (!identifier)
    throw new ConsolidationError(
      `"${input.identifier}" is not a valid ${KIND_LABELS[input.kind].toLowerCase()}`,
      'identifier'
    )
  const existing = await Service.query()
    .where('customer_id', customer.id)
    .where('identifier', identifier)
    .first()
  if (existing)
    throw new ConsolidationError(
      `${identifier} already exists for this customer`,
      'identifier',
      existing.id
    )
  const employee = input.employeeId ? await employeeOf(customer.id, input.employeeId) : null
  const from = employee
    ? localMidnight(
        input.from ?? DateTime.now().setZone(customer.timeZone).toISODate()!,
        customer.timeZone
      )
    : null
  const service = await db.transaction(async (trx) => {
    const created = await Service.create(
      { customerId: customer.id, kind: input.kind, identifier, label: input.label ?? null },
      { client: trx }
    )
    await audit(
      {
        userId: actor.userId,
        action: 'service.create',
        subjectType: 'service',
        subjectId: created.id,
        changes: created.serialize(),
      },
      trx
    )
    if (employee && from)
      await assignService(created, employee, from, { userId: actor.userId, trx })
    return created
  })
  // Records already imported for this identifier now have a service (and maybe a person).
  await refreshFrom(customer.id, identifier, null)
  return service
}

export async function updateServiceLabel(
  service: Service,
  label: string | null | undefined,
  actor: Actor
) {
  await db.transaction(async (trx) => {
    service.useTransaction(trx).label = label ?? null
    const changes = service.$dirty
    await service.save()
    await audit(
      {
        userId: actor.userId,
        action: 'service.update',
        subjectType: 'service',
        subjectId: service.id,
        changes,
      },
      trx
    )
  })
  return service
}

/** Deletes a service; its unbilled records become unallocated. */
export async function deleteService(service: Service, actor: Actor) {
  await db.transaction(async (trx) => {
    await audit(
      {
        userId: actor.userId,
        action: 'service.delete',
        subjectType: 'service',
        subjectId: service.id,
        changes: service.serialize(),
      },
      trx
    )
    await service.useTransaction(trx).delete()
  })
  await refreshFrom(service.customerId, service.identifier, null)
}

/** Gives (or moves) a service to an employee from local midnight of `date` in the customer's zone. */
export async function assignServiceFrom(
  service: Service,
  customer: Customer,
  employeeId: number,
  date: string,
  actor: Actor
) {
  const employee = await employeeOf(customer.id, employeeId)
  const from = localMidnight(date, customer.timeZone)
  const assignment = await db.transaction((trx) =>
    assignService(service, employee, from, { userId: actor.userId, trx })
  )
  await refreshFrom(customer.id, service.identifier, from)
  return { assignment, employee }
}

/** Ends whoever holds the service at local midnight of `date`; a ConsolidationError when nobody does. */
export async function endServiceOn(
  service: Service,
  customer: Customer,
  date: string,
  actor: Actor
) {
  const at = localMidnight(date, customer.timeZone)
  const ended = await db.transaction((trx) =>
    endService(service, at, { userId: actor.userId, trx })
  )
  if (!ended) throw new ConsolidationError(`Nobody holds ${service.identifier} on ${date}`, 'date')
  await refreshFrom(customer.id, service.identifier, at)
  return ended
}

/** Deletes an assignment made by mistake (its service preloaded); its records fall back to unallocated. */
export async function removeAssignment(assignment: Assignment, actor: Actor) {
  await db.transaction((trx) => deleteAssignment(assignment, { userId: actor.userId, trx }))
  await refreshFrom(
    assignment.service.customerId,
    assignment.service.identifier,
    assignment.startsAt
  )
}
