import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import Department from '#models/department'
import { departmentValidator } from '#validators/employee'
import { apiPageValidator } from '#validators/api'
import {
  createDepartment,
  deleteDepartment,
  departmentsOf,
  updateDepartment,
} from '#consolidation/departments'
import { departmentJson } from '#api/consolidation_resources'
import { pageOfArray } from '#api/pagination'
import { actorOf, paging } from '#controllers/api/helpers'

export default class ApiDepartmentsController {
  async index({ request, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const { page, perPage } = paging(
      await request.validateUsing(apiPageValidator, { data: request.qs() })
    )
    return pageOfArray((await departmentsOf(customer.id)).map(departmentJson), page, perPage)
  }

  async show({ params }: HttpContext) {
    return { data: departmentJson(await Department.findOrFail(params.id)) }
  }

  async store({ request, response, params, auth }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(departmentValidator, {
      meta: { customerId: customer.id, departmentId: 0 },
    })
    return response.created({
      data: departmentJson(await createDepartment(customer, input, actorOf(auth))),
    })
  }

  async update({ request, params, auth }: HttpContext) {
    const department = await Department.findOrFail(params.id)
    const input = await request.validateUsing(departmentValidator, {
      meta: { customerId: department.customerId, departmentId: department.id },
    })
    return { data: departmentJson(await updateDepartment(department, input, actorOf(auth))) }
  }

  async destroy({ params, response, auth }: HttpContext) {
    await deleteDepartment(await Department.findOrFail(params.id), actorOf(auth))
    return response.noContent()
  }
}
