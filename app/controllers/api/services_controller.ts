import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import Service from '#models/service'
import Assignment from '#models/assignment'
import {
  assignValidator,
  endAssignmentValidator,
  serviceLabelValidator,
  serviceValidator,
} from '#validators/service'
import { apiServicesQueryValidator } from '#validators/api'
import {
  assignServiceFrom,
  createService,
  deleteService,
  endServiceOn,
  removeAssignment,
  updateServiceLabel,
} from '#consolidation/service_admin'
import { ConsolidationError } from '#consolidation/admin_errors'
import { assignmentJson, servicePage, serviceWithHolder } from '#api/consolidation_resources'
import { actorOf, paging, unprocessable } from '#controllers/api/helpers'

/** Services of a customer and who holds them when (effective-dated assignments). */
export default class ApiServicesController {
  async index({ request, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(apiServicesQueryValidator, { data: request.qs() })
    return servicePage(customer.id, { search: input.search, kind: input.kind, ...paging(input) })
  }

  async show({ params }: HttpContext) {
    return { data: await serviceWithHolder(await Service.findOrFail(params.id)) }
  }

  async store({ request, response, params, auth }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(serviceValidator)
    try {
      const service = await createService(customer, input, actorOf(auth))
      return response.created({ data: await serviceWithHolder(service) })
    } catch (error) {
      if (!(error instanceof ConsolidationError)) throw error
      return unprocessable(response, error.field, error.message)
    }
  }

  async update({ request, params, auth }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    const input = await request.validateUsing(serviceLabelValidator)
    return {
      data: await serviceWithHolder(await updateServiceLabel(service, input.label, actorOf(auth))),
    }
  }

  async destroy({ params, response, auth }: HttpContext) {
    await deleteService(await Service.findOrFail(params.id), actorOf(auth))
    return response.noContent()
  }

  async assign({ request, response, params, auth }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    const customer = await Customer.findOrFail(service.customerId)
    const input = await request.validateUsing(assignValidator)
    const { assignment } = await assignServiceFrom(
      service,
      customer,
      input.employeeId,
      input.from,
      actorOf(auth)
    )
    return response.created({ data: assignmentJson(assignment) })
  }

  async end({ request, response, params, auth }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    const customer = await Customer.findOrFail(service.customerId)
    const input = await request.validateUsing(endAssignmentValidator)
    try {
      return {
        data: assignmentJson(await endServiceOn(service, customer, input.date, actorOf(auth))),
      }
    } catch (error) {
      if (!(error instanceof ConsolidationError)) throw error
      return unprocessable(response, error.field, error.message)
    }
  }

  async destroyAssignment({ params, response, auth }: HttpContext) {
    const assignment = await Assignment.query()
      .where('id', params.id)
      .preload('service')
      .firstOrFail()
    await removeAssignment(assignment, actorOf(auth))
    return response.noContent()
  }
}
