import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import Service from '#models/service'
import Employee from '#models/employee'
import Assignment from '#models/assignment'
import { assignValidator, endAssignmentValidator } from '#validators/service'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { affectedPeriods, assignService, deleteAssignment, endService, localMidnight } from '#consolidation/assignments'

/** Effective-dated changes to who holds a service: assign / move from a date, end, delete. */
export default class AssignmentsController {
  async assign({ request, response, params, auth, session }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    const customer = await Customer.findOrFail(service.customerId)
    const input = await request.validateUsing(assignValidator)
    const employee = await Employee.query().where('id', input.employeeId).where('customer_id', customer.id).firstOrFail()
    const from = localMidnight(input.from, customer.timeZone)
    await db.transaction((trx) => assignService(service, employee, from, { userId: auth.user!.id, trx }))
    const periods = await affectedPeriods(customer.id, service.identifier, from)
    if (periods.length) await afterUsageChange(customer.id, periods)
    session.flash('success', `${service.identifier} is ${employee.name}'s from ${input.from}`)
    return response.redirect().back()
  }

  async end({ request, response, params, auth, session }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    const customer = await Customer.findOrFail(service.customerId)
    const input = await request.validateUsing(endAssignmentValidator)
    const at = localMidnight(input.date, customer.timeZone)
    const ended = await db.transaction((trx) => endService(service, at, { userId: auth.user!.id, trx }))
    if (!ended) {
      session.flash('error', `Nobody holds ${service.identifier} on ${input.date}`)
      return response.redirect().back()
    }
    const periods = await affectedPeriods(customer.id, service.identifier, at)
    if (periods.length) await afterUsageChange(customer.id, periods)
    session.flash('success', `${service.identifier} ended on ${input.date}`)
    return response.redirect().back()
  }

  async destroy({ response, params, auth, session }: HttpContext) {
    const assignment = await Assignment.query().where('id', params.id).preload('service').firstOrFail()
    await db.transaction((trx) => deleteAssignment(assignment, { userId: auth.user!.id, trx }))
    const periods = await affectedPeriods(assignment.service.customerId, assignment.service.identifier, assignment.startsAt)
    if (periods.length) await afterUsageChange(assignment.service.customerId, periods)
    session.flash('success', 'Assignment deleted')
    return response.redirect().back()
  }
}
