import type { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type Customer from '#models/customer'
import Employee from '#models/employee'
import type Department from '#models/department'
import Assignment from '#models/assignment'
import { audit } from '#lib/audit'
import { assignService, sqlDateTime } from '#consolidation/assignments'
import { findOrCreateService } from '#consolidation/services'
import { findOrCreateDepartment } from '#consolidation/m365_employee_sync'
import type { PlannedRow } from '#consolidation/staff_import'

export type ApplyContext = {
  customer: Customer
  userId: number | null | undefined
  /** When the row's numbers pass to its employee. */
  from: DateTime
  trx: TransactionClientContract
}

/** Applies one planned row; returns the identifiers that changed hands. */
export async function applyPlannedRow(row: PlannedRow, context: ApplyContext) {
  const employee = await applyEmployee(row, context)
  return assignRowServices(row, employee, context)
}

/** The row's employee, created or updated as planned (in the row's department, created if new). */
async function applyEmployee(row: PlannedRow, context: ApplyContext): Promise<Employee> {
  const department = row.changes.department?.to
    ? await findOrCreateDepartment(
        context.customer.id,
        String(row.changes.department.to),
        context.trx,
        context.userId ?? null
      )
    : null
  return row.action === 'create'
    ? createEmployee(row, department, context)
    : updateEmployee(row, department, context)
}

async function createEmployee(
  row: PlannedRow,
  department: Department | null,
  { customer, userId, trx }: ApplyContext
) {
  const employee = await Employee.create(
    {
      customerId: customer.id,
      departmentId: department?.id ?? null,
      name: String(row.changes.name?.to ?? row.name),
      email: (row.changes.email?.to as string) ?? null,
      employeeNumber: (row.changes.employeeNumber?.to as string) ?? null,
      active: row.changes.active ? Boolean(row.changes.active.to) : true,
    },
    { client: trx }
  )
  await audit(
    {
      userId,
      action: 'employee.create',
      subjectType: 'employee',
      subjectId: employee.id,
      changes: { ...row.changes, source: 'staff-import', line: row.line },
    },
    trx
  )
  return employee
}

async function updateEmployee(
  row: PlannedRow,
  department: Department | null,
  { userId, trx }: ApplyContext
) {
  const employee = await Employee.findOrFail(row.employeeId, { client: trx })
  if (row.changes.name) employee.name = String(row.changes.name.to)
  if (row.changes.email) employee.email = String(row.changes.email.to)
  if (row.changes.employeeNumber) employee.employeeNumber = String(row.changes.employeeNumber.to)
  if (department) employee.departmentId = department.id
  if (row.changes.active) employee.active = Boolean(row.changes.active.to)
  if (employee.$isDirty) {
    await employee.useTransaction(trx).save()
    await audit(
      {
        userId,
        action: 'employee.update',
        subjectType: 'employee',
        subjectId: employee.id,
        changes: { ...row.changes, source: 'staff-import', line: row.line },
      },
      trx
    )
  }
  return employee
}

/** Gives the row's numbers to its employee from `from`; returns those that changed hands. */
async function assignRowServices(row: PlannedRow, employee: Employee, context: ApplyContext) {
  const { userId, from, trx } = context
  const touched: string[] = []
  for (const s of row.services) {
    const service = await serviceOf(s, context)
    const holder = await Assignment.query({ client: trx })
      .where('service_id', service.id)
      .where('starts_at', '<=', sqlDateTime(from))
      .where((q) => q.whereNull('ends_at').orWhere('ends_at', '>', sqlDateTime(from)))
      .first()
    if (holder?.employeeId === employee.id) continue
    await assignService(service, employee, from, { userId, trx })
    touched.push(s.identifier)
  }
  return touched
}

/** The customer's service with the planned identifier, created (and audited) when missing. */
async function serviceOf(
  { kind, identifier }: PlannedRow['services'][number],
  { customer, userId, trx }: ApplyContext
) {
  const { service, created } = await findOrCreateService(customer.id, kind, identifier, trx)
  if (created)
    await audit(
      {
        userId,
        action: 'service.create',
        subjectType: 'service',
        subjectId: service.id,
        changes: { kind, identifier, source: 'staff-import' },
      },
      trx
    )
  return service
}
