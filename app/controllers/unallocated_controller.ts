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
  unallocatedIdentifiers,
  unallocatedOverview,
} from '#consolidation/unallocated'
import { localTime, money } from '#consolidation/queries'
import { formatMoney } from '#lib/money'
import { KIND_LABELS } from '#consolidation/services'
import { employeeOptions } from '#consolidation/pickers'

export default class UnallocatedController {
  /** Every customer with unallocated cost so far. */
  async overview({ inertia }: HttpContext) {
    const rows = await unallocatedOverview()
    return inertia.render('unallocated/overview', {
      customers: rows.map((r) => ({
        ...r,
        cost: money(r.costE4, r.currency),
        price: money(r.priceE4, r.currency),
      })),
      totals: {
        records: rows.reduce((n, r) => n + r.records, 0),
        identifiers: rows.reduce((n, r) => n + r.identifiers, 0),
      },
    })
  }

  async index({ inertia, params, request }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const search = String(request.input('q', '')).trim()
    const rows = await unallocatedIdentifiers(customer.id, { search, limit: 1000 })
    const employees = await Employee.query()
      .where('customer_id', customer.id)
      .where('active', true)
      .orderBy('name')
      .select('id', 'name', 'email')
    const departments = await Department.query().where('customer_id', customer.id).orderBy('name')
    const rules = await enabledRules(customer.id)
    return inertia.render('unallocated/index', {
      customer: { id: customer.id, name: customer.name, timeZone: customer.timeZone },
      search,
      identifiers: rows.map((r) => ({
        ...r,
        kind: r.kind ? KIND_LABELS[r.kind] : null,
        cost: money(r.costE4, customer.currency),
        price: formatMoney(r.priceMinor, customer.currency),
        firstAt: localTime(r.firstAt, customer.timeZone),
        lastAt: localTime(r.lastAt, customer.timeZone),
      })),
      totals: {
        records: rows.reduce((n, r) => n + r.records, 0),
        cost: money(
          rows.reduce((n, r) => n + r.costE4, 0),
          customer.currency
        ),
        price: formatMoney(
          rows.reduce((n, r) => n + r.priceMinor, 0),
          customer.currency
        ),
      },
      employees: employees.map((e) => ({ id: e.id, name: e.name, email: e.email })),
      employeeOptions: await employeeOptions(customer.id),
      departments: departments.map((d) => ({ id: d.id, name: d.name })),
      rules: Object.entries(AUTO_MATCH_RULES).map(([rule, label]) => ({
        rule,
        label,
        enabled: rules.includes(rule as any),
      })),
    })
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
