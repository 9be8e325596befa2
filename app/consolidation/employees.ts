import db from '@adonisjs/lucid/services/db'
import type Customer from '#models/customer'
import Employee from '#models/employee'
import Department from '#models/department'
import { audit } from '#lib/audit'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { refreshRecurringRollups } from '#consolidation/rollups'
import { periodsOf } from '#consolidation/assignments'
import { ConsolidationError, type Actor } from '#consolidation/admin_errors'

/** An employee as the form and the API send it, already validated (unique employee number per customer). */
export interface EmployeeFields {
  name: string
  email?: string | null
  employeeNumber?: string | null
  departmentId?: number | null
  active?: boolean | null
}

async function hasRecurringCharges(customerId: number, employeeId: number) {
  return !!(await db
    .from('recurring_charges')
    .where('customer_id', customerId)
    .where('employee_id', employeeId)
    .select('id')
    .first())
}

/** A department of another customer is not found (404), as if it did not exist. */
async function checkDepartment(customerId: number, departmentId: number | null | undefined) {
  if (departmentId)
    await Department.query()
      .where('id', departmentId)
      .where('customer_id', customerId)
      .firstOrFail()
}

export async function createEmployee(customer: Customer, input: EmployeeFields, actor: Actor) {
  await checkDepartment(customer.id, input.departmentId)
  return db.transaction(async (trx) => {
    const created = await Employee.create(
      {
        customerId: customer.id,
        name: input.name,
        email: input.email ?? null,
        employeeNumber: input.employeeNumber ?? null,
        departmentId: input.departmentId ?? null,
        active: input.active ?? true,
      },
      { client: trx }
    )
    await audit(
      {
        userId: actor.userId,
        action: 'employee.create',
        subjectType: 'employee',
        subjectId: created.id,
        changes: created.serialize(),
      },
      trx
    )
    return created
  })
}

export async function updateEmployee(employee: Employee, input: EmployeeFields, actor: Actor) {
  await checkDepartment(employee.customerId, input.departmentId)
  const departmentChanged = (input.departmentId ?? null) !== employee.departmentId
  await db.transaction(async (trx) => {
    employee.useTransaction(trx)
    employee.merge({
      name: input.name,
      email: input.email ?? null,
      employeeNumber: input.employeeNumber ?? null,
      departmentId: input.departmentId ?? null,
      active: input.active ?? employee.active,
    })
    const changes = employee.$dirty
    await employee.save()
    await audit(
      {
        userId: actor.userId,
        action: 'employee.update',
        subjectType: 'employee',
        subjectId: employee.id,
        changes,
      },
      trx
    )
  })
  // Unbilled records carry the employee's department: move them (and the rollups) with the employee.
  if (departmentChanged) {
    const periods = await periodsOf(employee.customerId, 'employee_id', employee.id)
    if (periods.length) await afterUsageChange(employee.customerId, periods)
    // Their recurring charges (licences) follow them in the insights too.
    if (await hasRecurringCharges(employee.customerId, employee.id))
      await refreshRecurringRollups(employee.customerId)
  }
  return employee
}

/** Deletes an employee who has nothing invoiced; their services are unallocated for the time they held them. */
export async function deleteEmployee(employee: Employee, actor: Actor) {
  const billed = await db
    .from('usage_records')
    .where('employee_id', employee.id)
    .whereNotNull('invoice_id')
    .first()
  if (billed)
    throw new ConsolidationError(
      'This employee has invoiced charges and cannot be deleted; mark them inactive instead',
      'id'
    )
  const periods = await periodsOf(employee.customerId, 'employee_id', employee.id)
  const hadCharges = await hasRecurringCharges(employee.customerId, employee.id)
  await db.transaction(async (trx) => {
    await audit(
      {
        userId: actor.userId,
        action: 'employee.delete',
        subjectType: 'employee',
        subjectId: employee.id,
        changes: employee.serialize(),
      },
      trx
    )
    await employee.useTransaction(trx).delete()
  })
  if (periods.length) await afterUsageChange(employee.customerId, periods)
  // Their recurring charges are now nobody's (employee_id SET NULL): move them in the insights.
  if (hadCharges) await refreshRecurringRollups(employee.customerId)
}
