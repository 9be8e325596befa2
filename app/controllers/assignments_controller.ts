import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import Service from '#models/service'
import Assignment from '#models/assignment'
import { assignValidator, endAssignmentValidator } from '#validators/service'
import { assignServiceFrom, endServiceOn, removeAssignment } from '#consolidation/service_admin'
import { ConsolidationError } from '#consolidation/admin_errors'

/** Effective-dated changes to who holds a service: assign / move from a date, end, delete. */
export default class AssignmentsController {
  async assign({ request, response, params, auth, session }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    const customer = await Customer.findOrFail(service.customerId)
    const input = await request.validateUsing(assignValidator)
    const { employee } = await assignServiceFrom(service, customer, input.employeeId, input.from, {
      userId: auth.user!.id,
    })
    session.flash('success', `${service.identifier} is ${employee.name}'s from ${input.from}`)
    return response.redirect().back()
  }

  async end({ request, response, params, auth, session }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    const customer = await Customer.findOrFail(service.customerId)
    const input = await request.validateUsing(endAssignmentValidator)
    try {
      await endServiceOn(service, customer, input.date, { userId: auth.user!.id })
    } catch (error) {
      if (!(error instanceof ConsolidationError)) throw error
      session.flash('error', error.message)
      return response.redirect().back()
    }
    session.flash('success', `${service.identifier} ended on ${input.date}`)
    return response.redirect().back()
  }

  async destroy({ response, params, auth, session }: HttpContext) {
    const assignment = await Assignment.query()
      .where('id', params.id)
      .preload('service')
      .firstOrFail()
    await removeAssignment(assignment, { userId: auth.user!.id })
    session.flash('success', 'Assignment deleted')
    return response.redirect().back()
  }
}
