import type { HttpContext } from '@adonisjs/core/http'
import { defaultLastMonth } from '#insights/queries'
import { isPeriod } from '#insights/periods'
import Customer from '#models/customer'
import Employee from '#models/employee'
import { employeeValidator } from '#validators/employee'
import { createEmployee, deleteEmployee, updateEmployee } from '#consolidation/employees'
import { employeeDetail, employeeIndexProps } from '#consolidation/employee_views'
import { ConsolidationError } from '#consolidation/admin_errors'
import { employeesQueryValidator } from '#validators/list_query'

export default class EmployeesController {
  async index({ inertia, params, request }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const search = String(request.input('q', '')).trim()
    const { department: departmentId = 0 } = await request.validateUsing(employeesQueryValidator)
    // The month shown: ?period=, else the last complete month with data (never the empty current month).
    const asked = String(request.input('period', ''))
    const period = isPeriod(asked) ? asked : await defaultLastMonth(customer.id)
    return inertia.render(
      'employees/index',
      await employeeIndexProps(customer, { search, departmentId, period })
    )
  }

  async store({ request, response, params, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(employeeValidator, {
      meta: { customerId: customer.id, employeeId: 0 },
    })
    const employee = await createEmployee(customer, input, { userId: auth.user!.id })
    session.flash('success', `Employee ${employee.name} added`)
    return response.redirect(`/employees/${employee.id}`)
  }

  async show({ inertia, params }: HttpContext) {
    const employee = await Employee.findOrFail(params.id)
    const customer = await Customer.findOrFail(employee.customerId)
    return inertia.render('employees/show', await employeeDetail(employee, customer))
  }

  async update({ request, response, params, auth, session }: HttpContext) {
    const employee = await Employee.findOrFail(params.id)
    const input = await request.validateUsing(employeeValidator, {
      meta: { customerId: employee.customerId, employeeId: employee.id },
    })
    await updateEmployee(employee, input, { userId: auth.user!.id })
    session.flash('success', 'Employee saved')
    return response.redirect(`/employees/${employee.id}`)
  }

  async destroy({ response, params, auth, session }: HttpContext) {
    const employee = await Employee.findOrFail(params.id)
    try {
      await deleteEmployee(employee, { userId: auth.user!.id })
    } catch (error) {
      if (!(error instanceof ConsolidationError)) throw error
      session.flash('error', error.message)
      return response.redirect(`/employees/${employee.id}`)
    }
    session.flash(
      'success',
      `Employee ${employee.name} deleted; their services are unallocated for the time they held them`
    )
    return response.redirect(`/customers/${employee.customerId}/employees`)
  }
}
