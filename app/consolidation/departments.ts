import db from '@adonisjs/lucid/services/db'
import type Customer from '#models/customer'
import Department from '#models/department'
import { audit } from '#lib/audit'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { refreshRecurringRollups } from '#consolidation/rollups'
import { periodsOf } from '#consolidation/assignments'
import type { Actor } from '#consolidation/admin_errors'

/** A department as the form and the API send it, already validated (unique name per customer). */
export interface DepartmentFields {
  name: string
  costCentre?: string | null
}

export interface DepartmentRow {
  id: number
  customerId: number
  name: string
  costCentre: string | null
  employees: number
}

/** A customer's departments by name, with how many employees each has. */
export async function departmentsOf(customerId: number): Promise<DepartmentRow[]> {
  const departments = await Department.query()
    .where('customer_id', customerId)
    .withCount('employees')
    .orderBy('name')
  return departments.map((d) => ({
    id: d.id,
    customerId: d.customerId,
    name: d.name,
    costCentre: d.costCentre,
    employees: Number(d.$extras.employees_count),
  }))
}

export async function createDepartment(customer: Customer, input: DepartmentFields, actor: Actor) {
  return db.transaction(async (trx) => {
    const created = await Department.create(
      { customerId: customer.id, name: input.name, costCentre: input.costCentre ?? null },
      { client: trx }
    )
    await audit(
      {
        userId: actor.userId,
        action: 'department.create',
        subjectType: 'department',
        subjectId: created.id,
        changes: created.serialize(),
      },
      trx
    )
    return created
  })
}

export async function updateDepartment(
  department: Department,
  input: DepartmentFields,
  actor: Actor
) {
  await db.transaction(async (trx) => {
    department.useTransaction(trx).merge({ name: input.name, costCentre: input.costCentre ?? null })
    const changes = department.$dirty
    await department.save()
    await audit(
      {
        userId: actor.userId,
        action: 'department.update',
        subjectType: 'department',
        subjectId: department.id,
        changes,
      },
      trx
    )
  })
  return department
}

export async function deleteDepartment(department: Department, actor: Actor) {
  const periods = await periodsOf(department.customerId, 'department_id', department.id)
  await db.transaction(async (trx) => {
    await audit(
      {
        userId: actor.userId,
        action: 'department.delete',
        subjectType: 'department',
        subjectId: department.id,
        changes: department.serialize(),
      },
      trx
    )
    await department.useTransaction(trx).delete()
  })
  // Its employees now have no department: unbilled records and rollups follow.
  if (periods.length) await afterUsageChange(department.customerId, periods)
  // Recurring charges of its employees move to "No department" in the insights too.
  await refreshRecurringRollups(department.customerId)
}
