import type { HttpContext } from '@adonisjs/core/http'
import { defaultLastMonth } from '#insights/queries'
import { isPeriod } from '#insights/periods'
import Customer from '#models/customer'
import Department from '#models/department'
import { departmentValidator } from '#validators/employee'
import { createDepartment, deleteDepartment, updateDepartment } from '#consolidation/departments'
import { departmentsIndexProps } from '#consolidation/department_views'

export default class DepartmentsController {
  async index({ inertia, params, request }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    // The month shown: ?period=, else the last complete month with data (never the empty current month).
    const asked = String(request.input('period', ''))
    const period = isPeriod(asked) ? asked : await defaultLastMonth(customer.id)
    return inertia.render('employees/departments', await departmentsIndexProps(customer, period))
  }

  async store({ request, response, params, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(departmentValidator, {
      meta: { customerId: customer.id, departmentId: 0 },
    })
    await createDepartment(customer, input, { userId: auth.user!.id })
    session.flash('success', `Department ${input.name} added`)
    return response.redirect(`/customers/${customer.id}/departments`)
  }

  async update({ request, response, params, auth, session }: HttpContext) {
    const department = await Department.findOrFail(params.id)
    const input = await request.validateUsing(departmentValidator, {
      meta: { customerId: department.customerId, departmentId: department.id },
    })
    await updateDepartment(department, input, { userId: auth.user!.id })
    session.flash('success', 'Department saved')
    return response.redirect(`/customers/${department.customerId}/departments`)
  }

  async destroy({ response, params, auth, session }: HttpContext) {
    const department = await Department.findOrFail(params.id)
    await deleteDepartment(department, { userId: auth.user!.id })
    session.flash('success', `Department ${department.name} deleted`)
    return response.redirect(`/customers/${department.customerId}/departments`)
  }
}
