import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Assignment from '#models/assignment'
import Service from '#models/service'
import Employee from '#models/employee'
import Customer from '#models/customer'
import { audit } from '#lib/audit'

/** The format both SQLite and MySQL store timestamps in (always UTC here). */
export function sqlDateTime(value: DateTime) {
  return value.toUTC().toFormat('yyyy-MM-dd HH:mm:ss')
}

/** A date typed in the UI ("2026-03-16") as the UTC instant of local midnight in the customer's zone. */
export function localMidnight(date: string, timeZone: string): DateTime {
  const local = DateTime.fromISO(date, { zone: timeZone }).startOf('day')
  if (!local.isValid) throw new RangeError(`"${date}" is not a date`)
  return local.toUTC()
}

/** The date (in the customer's zone) an instant falls on, for display and forms. */
export function localDate(value: DateTime | null, timeZone: string) {
  return value ? value.setZone(timeZone).toISODate() : null
}

/** Periods of unbilled records of a service identifier at or after an instant (what a change affects). */
export async function affectedPeriods(
  customerId: number,
  identifier: string,
  from: DateTime | null,
  client: TransactionClientContract | null = null
): Promise<string[]> {
  const q = (client ?? db)
    .from('usage_records')
    .where('customer_id', customerId)
    .where('identifier', identifier)
    .whereNull('invoice_id')
    .distinct('period')
  if (from) q.where('occurred_at', '>=', sqlDateTime(from))
  const rows = await q
  return rows.map((r) => String(r.period)).sort()
}

type Actor = { userId?: number | null; trx: TransactionClientContract }

/**
 * Gives a service to an employee from an instant on: whoever held it then is ended at that
 * instant, and the new assignment runs until the next assignment already planned (or open-ended).
 * Assignments of one service never overlap. Returns the new (or unchanged) assignment.
 */
export async function assignService(
  service: Service,
  employee: Employee,
  startsAt: DateTime,
  actor: Actor
) {
  const { trx } = actor
  if (employee.customerId !== service.customerId)
    throw new RangeError('The employee belongs to another customer')
  const at = startsAt.toUTC().startOf('second')
  const atSql = sqlDateTime(at)
  const covering = await Assignment.query({ client: trx })
    .where('service_id', service.id)
    .where('starts_at', '<=', atSql)
    .where((q) => q.whereNull('ends_at').orWhere('ends_at', '>', atSql))
    .forUpdate()
    .first()
  if (covering && covering.employeeId === employee.id) return covering

  const next = await Assignment.query({ client: trx })
    .where('service_id', service.id)
    .where('starts_at', '>', atSql)
    .orderBy('starts_at', 'asc')
    .first()

  if (covering) await makeWay(covering, service, employee, at, actor)
  const endsAt = await endOfNewAssignment(next, employee, trx)
  return createAssignment(service, employee, at, endsAt, actor)
}

/** The holder at `at` gives way: removed if it starts then, else ended then. */
async function makeWay(
  covering: Assignment,
  service: Service,
  employee: Employee,
  at: DateTime,
  actor: Actor
) {
  if (covering.startsAt.toUTC().toMillis() !== at.toMillis()) {
    await endAssignment(covering, service, at, actor)
    return
  }
  await audit(
    {
      userId: actor.userId,
      action: 'assignment.delete',
      subjectType: 'assignment',
      subjectId: covering.id,
      changes: {
        serviceId: service.id,
        employeeId: covering.employeeId,
        replacedBy: employee.id,
      },
    },
    actor.trx
  )
  await covering.useTransaction(actor.trx).delete()
}

/**
 * Where the new assignment ends: where the next one starts, or open-ended. A following
 * assignment of the same person is merged rather than left back to back.
 */
async function endOfNewAssignment(
  next: Assignment | null,
  employee: Employee,
  trx: TransactionClientContract
): Promise<DateTime | null> {
  if (!next) return null
  if (next.employeeId !== employee.id) return next.startsAt.toUTC()
  await next.useTransaction(trx).delete()
  return next.endsAt
}

async function createAssignment(
  service: Service,
  employee: Employee,
  at: DateTime,
  endsAt: DateTime | null,
  actor: Actor
) {
  const created = await Assignment.create(
    { serviceId: service.id, employeeId: employee.id, startsAt: at, endsAt },
    { client: actor.trx }
  )
  await audit(
    {
      userId: actor.userId,
      action: 'assignment.create',
      subjectType: 'assignment',
      subjectId: created.id,
      changes: {
        serviceId: service.id,
        identifier: service.identifier,
        employeeId: employee.id,
        startsAt: at.toISO(),
        endsAt: endsAt?.toISO() ?? null,
      },
    },
    actor.trx
  )
  return created
}

/** Ends an assignment at an instant, audited. */
async function endAssignment(covering: Assignment, service: Service, at: DateTime, actor: Actor) {
  const before = covering.endsAt?.toISO() ?? null
  covering.useTransaction(actor.trx).endsAt = at
  await covering.save()
  await audit(
    {
      userId: actor.userId,
      action: 'assignment.end',
      subjectType: 'assignment',
      subjectId: covering.id,
      changes: {
        serviceId: service.id,
        employeeId: covering.employeeId,
        endsAt: { from: before, to: at.toISO() },
      },
    },
    actor.trx
  )
}

/** Ends whoever holds the service at an instant (the service becomes unallocated from then on). */
export async function endService(service: Service, endsAt: DateTime, actor: Actor) {
  const { trx } = actor
  const at = endsAt.toUTC().startOf('second')
  const atSql = sqlDateTime(at)
  const covering = await Assignment.query({ client: trx })
    .where('service_id', service.id)
    .where('starts_at', '<', atSql)
    .where((q) => q.whereNull('ends_at').orWhere('ends_at', '>', atSql))
    .forUpdate()
    .first()
  if (!covering) return null
  await endAssignment(covering, service, at, actor)
  return covering
}

/** Deletes one assignment outright (a mistake); its records fall back to unallocated. */
export async function deleteAssignment(assignment: Assignment, actor: Actor) {
  await audit(
    {
      userId: actor.userId,
      action: 'assignment.delete',
      subjectType: 'assignment',
      subjectId: assignment.id,
      changes: {
        serviceId: assignment.serviceId,
        employeeId: assignment.employeeId,
        startsAt: assignment.startsAt.toISO(),
        endsAt: assignment.endsAt?.toISO() ?? null,
      },
    },
    actor.trx
  )
  await assignment.useTransaction(actor.trx).delete()
}

export async function customerOf(service: Service, trx?: TransactionClientContract) {
  return Customer.findOrFail(service.customerId, { client: trx })
}

/** Periods of an employee's (or department's) unbilled records: what a change to them affects. */
export async function periodsOf(
  customerId: number,
  column: 'employee_id' | 'department_id' | 'service_id',
  id: number
): Promise<string[]> {
  const rows = await db
    .from('usage_records')
    .where('customer_id', customerId)
    .where(column, id)
    .whereNull('invoice_id')
    .distinct('period')
  return rows.map((r) => String(r.period)).sort()
}
