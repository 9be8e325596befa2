import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import Department from '#models/department'
import Employee from '#models/employee'
import {
  ruleValidator,
  unallocatedAssignValidator,
  unallocatedCreateValidator,
} from '#validators/service'
import {
  AUTO_MATCH_RULES,
  assignIdentifiers,
  createEmployeesFromIdentifiers,
  enabledRules,
  runAutoMatch,
  setRule,
} from '#consolidation/unallocated'
import { unallocatedIndexProps, unallocatedOverviewProps } from '#consolidation/unallocated_views'

export default class UnallocatedController {
  /** Every customer with unallocated cost so far. */
  async overview({ inertia }: HttpContext) {
    return inertia.render('unallocated/overview', await unallocatedOverviewProps())
  }

  async index({ inertia, params, request }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const search = String(request.input('q', '')).trim()
    return inertia.render('unallocated/index', await unallocatedIndexProps(customer, search))
  }

  async assign({ request, response, params, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(unallocatedAssignValidator)
    const employee = await Employee.query()
      .where('id', input.employeeId)
      .where('customer_id', customer.id)
      .firstOrFail()
    const result = await assignIdentifiers(
      customer,
      input.identifiers.map((identifier) => ({ identifier, employeeId: employee.id })),
      { from: input.from ?? null, userId: auth.user!.id }
    )
    session.flash('success', `${result.assigned} identifier(s) assigned to ${employee.name}`)
    return response.redirect(`/customers/${customer.id}/unallocated`)
  }

  async createEmployees({ request, response, params, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(unallocatedCreateValidator)
    if (input.departmentId)
      await Department.query()
        .where('id', input.departmentId)
        .where('customer_id', customer.id)
        .firstOrFail()
    const result = await createEmployeesFromIdentifiers(
      customer,
      input.identifiers.map((identifier) => ({
        identifier,
        departmentId: input.departmentId ?? null,
      })),
      { from: input.from ?? null, userId: auth.user!.id }
    )
    session.flash('success', `${result.created} employee(s) created and assigned`)
    return response.redirect(`/customers/${customer.id}/unallocated`)
  }

  async autoMatch({ response, params, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const rules = await enabledRules(customer.id)
    if (rules.length === 0) {
      session.flash('error', 'Turn on at least one auto-match rule first')
      return response.redirect(`/customers/${customer.id}/unallocated`)
    }
    const result = await runAutoMatch(customer, { rules, userId: auth.user!.id })
    session.flash('success', `Auto-match assigned ${result.matched.length} identifier(s)`)
    return response.redirect(`/customers/${customer.id}/unallocated`)
  }

  async setRule({ request, response, params, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(ruleValidator)
    await setRule(customer.id, input.rule, input.enabled, auth.user!.id)
    session.flash(
      'success',
      `Rule ${input.enabled ? 'on' : 'off'}: ${AUTO_MATCH_RULES[input.rule]}`
    )
    return response.redirect(`/customers/${customer.id}/unallocated`)
  }
}
