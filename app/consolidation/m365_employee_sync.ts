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
      const mail = user.mail ? user.mail.trim().toLowerCase() : null
      let employee: Employee | null = null
      if (user.employeeId && user.employeeId.trim()) {
        employee = await Employee.query({ client: trx })
          .where('customer_id', customerId)
          .where('employee_number', user.employeeId.trim())
          .first()
      }
      if (!employee) {
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
        if (holder) employee = await Employee.find(holder.employeeId, { client: trx })
      }
      if (!employee) {
        const emails = [upn, mail].filter((e): e is string => Boolean(e))
        employee = await Employee.query({ client: trx })
          .where('customer_id', customerId)
          .whereRaw(`LOWER(email) IN (${emails.map(() => '?').join(',')})`, emails)
          .orderBy('id')
          .first()
      }
      const department =
        user.department && user.department.trim()
          ? await findOrCreateDepartment(customerId, user.department, trx)
          : null
      if (employee) {
        matched++
        const changes: Record<string, any> = {}
        if (department && employee.departmentId !== department.id) {
          changes.departmentId = { from: employee.departmentId, to: department.id }
          employee.departmentId = department.id
        }
        if (!employee.email) {
          changes.email = { from: null, to: mail ?? upn }
          employee.email = mail ?? upn
        }
        if (Object.keys(changes).length) {
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
      } else {
        created++
        employee = await Employee.create(
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
      }

      const { service } = await findOrCreateService(
        customerId,
        'm365_user',
        upn,
        trx,
        user.displayName
      )
      const current = await Assignment.query({ client: trx })
        .where('service_id', service.id)
        .where('starts_at', '<=', sqlDateTime(now))
        .where((q) => q.whereNull('ends_at').orWhere('ends_at', '>', sqlDateTime(now)))
        .first()
      if (current?.employeeId !== employee.id) {
        await assignService(service, employee, now, { trx })
        touched.set(upn, now)
      }
    }
  })
  const periods = new Set<string>()
  for (const [upn, from] of touched)
    for (const p of await affectedPeriods(customerId, upn, from)) periods.add(p)
  if (periods.size) await afterUsageChange(customerId, [...periods])
  // New people may now match unallocated identifiers (e.g. UPN = email): apply the customer's rules.
  const { enabledRules, runAutoMatch } = await import('#consolidation/unallocated')
  const rules = await enabledRules(customerId)
  if (rules.length) await runAutoMatch(await Customer.findOrFail(customerId), { rules })
  return { created, matched }
}
