import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Employee from '#models/employee'
import Department from '#models/department'
import Assignment from '#models/assignment'
import Customer from '#models/customer'
import { normaliseUpn } from '#lib/identifiers'
import { audit } from '#lib/audit'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { affectedPeriods, assignService, sqlDateTime } from '#consolidation/assignments'
import { findOrCreateService } from '#consolidation/services'

export type M365User = {
  upn: string
  displayName: string | null
  mail: string | null
  department: string | null
  employeeId: string | null
}

/** The customer's department with that name (case-insensitive), created when missing. */
export async function findOrCreateDepartment(
  customerId: number,
  name: string,
  trx: TransactionClientContract,
  userId: number | null = null
) {
  const clean = name.trim().slice(0, 120)
  const existing = await Department.query({ client: trx })
    .where('customer_id', customerId)
    .whereRaw('LOWER(name) = ?', [clean.toLowerCase()])
    .first()
  if (existing) return existing
  const created = await Department.create(
    { customerId, name: clean, costCentre: null },
    { client: trx }
  )
  await audit(
    {
      userId,
      action: 'department.create',
      subjectType: 'department',
      subjectId: created.id,
      changes: { name: clean },
    },
    trx
  )
  return created
}

/**
 * Brings Microsoft 365 users in as employees of a customer: matched by employee number, then by
 * who already holds the UPN, then by email equal to the UPN or mail address (case-insensitive), else created. Each user's UPN becomes
 * an m365_user service assigned to that employee from now on (unless it already is).
 */
export async function syncEmployeesFromM365(
  customerId: number,
  users: M365User[]
): Promise<{ created: number; matched: number }> {
  let created = 0
  let matched = 0
  const touched = new Map<string, DateTime>()
  await db.transaction(async (trx) => {
    const now = DateTime.utc().startOf('second')
    for (const user of users) {
      const upn = normaliseUpn(user.upn)
      if (!upn) continue
      const found = await employeeFor(customerId, user, upn, now, trx)
      if (found.created) created++
      else matched++
      if (await holdUpn(customerId, user, upn, found.employee, now, trx)) touched.set(upn, now)
    }
  })
  await refreshTouched(customerId, touched)
  await autoMatchUnallocated(customerId)
  return { created, matched }
}

/** The user's employee: the one that matches (brought up to date), else a new one. */
async function employeeFor(
  customerId: number,
  user: M365User,
  upn: string,
  now: DateTime,
  trx: TransactionClientContract
) {
  const mail = user.mail ? user.mail.trim().toLowerCase() : null
  const employee = await matchEmployee(customerId, user, upn, mail, now, trx)
  const department =
    user.department && user.department.trim()
      ? await findOrCreateDepartment(customerId, user.department, trx)
      : null
  if (employee) {
    await updateMatched(employee, department, mail ?? upn, trx)
    return { employee, created: false }
  }
  return {
    employee: await createEmployee(customerId, user, upn, mail, department, trx),
    created: true,
  }
}

async function matchEmployee(
  customerId: number,
  user: M365User,
  upn: string,
  mail: string | null,
  now: DateTime,
  trx: TransactionClientContract
): Promise<Employee | null> {
  if (user.employeeId && user.employeeId.trim()) {
    const byNumber = await Employee.query({ client: trx })
      .where('customer_id', customerId)
      .where('employee_number', user.employeeId.trim())
      .first()
    if (byNumber) return byNumber
  }
  // Whoever already holds this UPN as a service (e.g. created with another email by an earlier sync).
  const holder = await Assignment.query({ client: trx })
    .join('services', 'services.id', 'assignments.service_id')
    .where('services.customer_id', customerId)
    .where('services.kind', 'm365_user')
    .where('services.identifier', upn)
    .where('assignments.starts_at', '<=', sqlDateTime(now))
    .where((q) =>
      q.whereNull('assignments.ends_at').orWhere('assignments.ends_at', '>', sqlDateTime(now))
    )
    .select('assignments.employee_id')
    .first()
  if (holder) {
    const byHolder = await Employee.find(holder.employeeId, { client: trx })
    if (byHolder) return byHolder
  }
  const emails = [upn, mail].filter((e): e is string => Boolean(e))
  return Employee.query({ client: trx })
    .where('customer_id', customerId)
    .whereRaw(`LOWER(email) IN (${emails.map(() => '?').join(',')})`, emails)
    .orderBy('id')
    .first()
}

/** Fills in what the matched employee lacks: the user's department, an email if none. */
async function updateMatched(
  employee: Employee,
  department: Department | null,
  email: string,
  trx: TransactionClientContract
) {
  const changes: Record<string, { from: number | string | null; to: number | string }> = {}
  if (department && employee.departmentId !== department.id) {
    changes.departmentId = { from: employee.departmentId, to: department.id }
    employee.departmentId = department.id
  }
  if (!employee.email) {
    changes.email = { from: null, to: email }
    employee.email = email
  }
  if (!Object.keys(changes).length) return
  await employee.useTransaction(trx).save()
  await audit(
    {
      action: 'employee.update',
      subjectType: 'employee',
      subjectId: employee.id,
      changes: { ...changes, source: 'm365' },
    },
    trx
  )
}

async function createEmployee(
  customerId: number,
  user: M365User,
  upn: string,
  mail: string | null,
  department: Department | null,
  trx: TransactionClientContract
) {
  const employee = await Employee.create(
    {
      customerId,
      departmentId: department?.id ?? null,
      name: (user.displayName ?? '').trim() || upn,
      email: mail ?? upn,
      employeeNumber: user.employeeId?.trim() || null,
      active: true,
    },
    { client: trx }
  )
  await audit(
    {
      action: 'employee.create',
      subjectType: 'employee',
      subjectId: employee.id,
      changes: { name: employee.name, email: employee.email, source: 'm365' },
    },
    trx
  )
  return employee
}

/** Gives the UPN's m365_user service to the employee from now on; true when its holder changed. */
async function holdUpn(
  customerId: number,
  user: M365User,
  upn: string,
  employee: Employee,
  now: DateTime,
  trx: TransactionClientContract
) {
  const { service } = await findOrCreateService(customerId, 'm365_user', upn, trx, user.displayName)
  const current = await Assignment.query({ client: trx })
    .where('service_id', service.id)
    .where('starts_at', '<=', sqlDateTime(now))
    .where((q) => q.whereNull('ends_at').orWhere('ends_at', '>', sqlDateTime(now)))
    .first()
  if (current?.employeeId === employee.id) return false
  await assignService(service, employee, now, { trx })
  return true
}

/** Re-maps the unbilled periods of every UPN that changed hands. */
async function refreshTouched(customerId: number, touched: Map<string, DateTime>) {
  const periods = new Set<string>()
  for (const [upn, from] of touched)
    for (const p of await affectedPeriods(customerId, upn, from)) periods.add(p)
  if (periods.size) await afterUsageChange(customerId, [...periods])
}

/** New people may now match unallocated identifiers (e.g. UPN = email): apply the customer's rules. */
async function autoMatchUnallocated(customerId: number) {
  const { enabledRules, runAutoMatch } = await import('#consolidation/unallocated')
  const rules = await enabledRules(customerId)
  if (rules.length) await runAutoMatch(await Customer.findOrFail(customerId), { rules })
}
