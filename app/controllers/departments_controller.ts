import type { HttpContext } from '@adonisjs/core/http'
import { defaultLastMonth } from '#insights/queries'
import { isPeriod } from '#insights/periods'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import Department from '#models/department'
import { departmentValidator } from '#validators/employee'
import { audit } from '#lib/audit'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { refreshRecurringRollups } from '#consolidation/rollups'
import { periodsOf } from '#consolidation/assignments'
import { departmentTotals } from '#consolidation/queries'

export default class DepartmentsController {
  async index({ inertia, params, request }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const departments = await Department.query().where('customer_id', customer.id).withCount('employees').orderBy('name')
    // The month shown: ?period=, else the last complete month with data (never the empty current month).
    const asked = String(request.input('period', ''))
    const period = isPeriod(asked) ? asked : await defaultLastMonth(customer.id)
    return inertia.render('employees/departments', {
      customer: { id: customer.id, name: customer.name },
      period,
      departments: departments.map((d) => ({ id: d.id, name: d.name, costCentre: d.costCentre, employees: Number(d.$extras.employees_count) })),
      totals: await departmentTotals(customer.id, period, customer.currency),
    })
  }

  async store({ request, response, params, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(departmentValidator, { meta: { customerId: customer.id, departmentId: 0 } })
    await db.transaction(async (trx) => {
      const created = await Department.create({ customerId: customer.id, name: input.name, costCentre: input.costCentre ?? null }, { client: trx })
      await audit({ userId: auth.user!.id, action: 'department.create', subjectType: 'department', subjectId: created.id, changes: created.serialize() }, trx)
    })
    session.flash('success', `Department ${input.name} added`)
    return response.redirect(`/customers/${customer.id}/departments`)
  }

  async update({ request, response, params, auth, session }: HttpContext) {
    const department = await Department.findOrFail(params.id)
    const input = await request.validateUsing(departmentValidator, { meta: { customerId: department.customerId, departmentId: department.id } })
    await db.transaction(async (trx) => {
      department.useTransaction(trx).merge({ name: input.name, costCentre: input.costCentre ?? null })
      const changes = department.$dirty
      await department.save()
      await audit({ userId: auth.user!.id, action: 'department.update', subjectType: 'department', subjectId: department.id, changes }, trx)
    })
    session.flash('success', 'Department saved')
    return response.redirect(`/customers/${department.customerId}/departments`)
  }

  async destroy({ response, params, auth, session }: HttpContext) {
    const department = await Department.findOrFail(params.id)
    const periods = await periodsOf(department.customerId, 'department_id', department.id)
    await db.transaction(async (trx) => {
      await audit({ userId: auth.user!.id, action: 'department.delete', subjectType: 'department', subjectId: department.id, changes: department.serialize() }, trx)
      await department.useTransaction(trx).delete()
    })
    // Its employees now have no department: unbilled records and rollups follow.
    if (periods.length) await afterUsageChange(department.customerId, periods)
    // Recurring charges of its employees move to "No department" in the insights too.
    await refreshRecurringRollups(department.customerId)
    session.flash('success', `Department ${department.name} deleted`)
    return response.redirect(`/customers/${department.customerId}/departments`)
  }
}
