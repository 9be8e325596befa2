import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import Customer from '#models/customer'
import Employee from '#models/employee'
import { employeeValidator } from '#validators/employee'
import { apiSearchValidator } from '#validators/api'
import { createEmployee, deleteEmployee, updateEmployee } from '#consolidation/employees'
import { ConsolidationError } from '#consolidation/admin_errors'
import { employeeJson, employeePage } from '#api/consolidation_resources'
import { actorOf, paging, unprocessable } from '#controllers/api/helpers'

const departmentFilter = vine.compile(
  vine.object({
    departmentId: vine.number().withoutDecimals().min(1).max(2_147_483_647).optional(),
  })
)

export default class ApiEmployeesController {
  async index({ request, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(apiSearchValidator, { data: request.qs() })
    const { departmentId } = await request.validateUsing(departmentFilter, { data: request.qs() })
    return employeePage(customer.id, { search: input.search, departmentId, ...paging(input) })
  }

  async show({ params }: HttpContext) {
    return { data: employeeJson(await Employee.findOrFail(params.id)) }
  }

  async store({ request, response, params, auth }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(employeeValidator, {
      meta: { customerId: customer.id, employeeId: 0 },
    })
    return response.created({
      data: employeeJson(await createEmployee(customer, input, actorOf(auth))),
    })
  }

  async update({ request, params, auth }: HttpContext) {
    const employee = await Employee.findOrFail(params.id)
    const input = await request.validateUsing(employeeValidator, {
      meta: { customerId: employee.customerId, employeeId: employee.id },
    })
    return { data: employeeJson(await updateEmployee(employee, input, actorOf(auth))) }
  }

  async destroy({ params, response, auth }: HttpContext) {
    try {
      await deleteEmployee(await Employee.findOrFail(params.id), actorOf(auth))
    } catch (error) {
      if (!(error instanceof ConsolidationError)) throw error
      return unprocessable(response, error.field, error.message)
    }
    return response.noContent()
  }
}
