import type { HttpContext } from '@adonisjs/core/http'
import { insightsQueryValidator, marginQueryValidator } from '#validators/insights'
import { insightsIndexProps } from '#insights/customer_picker'
import Customer from '#models/customer'
import Employee from '#models/employee'
import {
  anomaliesView,
  dashboardView,
  employeeView,
  employeesView,
  marginView,
  statementPdf,
  wasteView,
  type Links,
} from '#insights/pages'
import { isPeriod } from '#insights/periods'

/** Every insights view's query string, validated here (the HTTP layer). */
const query = (ctx: HttpContext) => insightsQueryValidator.validate(ctx.request.qs())

const links = (customerId: number): Links => ({
  base: `/customers/${customerId}/insights`,
  statement: (employeeId) => `/customers/${customerId}/employees/${employeeId}/statement.pdf`,
})

/** Staff insights: one customer's management information (admin, billing, viewer). */
export default class InsightsController {
  /** Pick a customer and a month range. */
  async index({ inertia, request, response }: HttpContext) {
    const { customerId, from, to } = request.qs()
    if (customerId && /^\d+$/.test(String(customerId))) {
      const qs = new URLSearchParams()
      if (isPeriod(from)) qs.set('from', from)
      if (isPeriod(to)) qs.set('to', to)
      return response.redirect(
        `/customers/${Number(customerId)}/insights${qs.size ? '?' + qs.toString() : ''}`
      )
    }
    return inertia.render('insights/index', await insightsIndexProps())
  }

  async show(ctx: HttpContext) {
    const customer = await Customer.findOrFail(ctx.params.id)
    return dashboardView(ctx, await query(ctx), 'insights/dashboard', customer, links(customer.id))
  }

  async employees(ctx: HttpContext) {
    const customer = await Customer.findOrFail(ctx.params.id)
    return employeesView(ctx, await query(ctx), 'insights/employees', customer, links(customer.id))
  }

  async employee(ctx: HttpContext) {
    const customer = await Customer.findOrFail(ctx.params.id)
    const employeeId = Number(ctx.params.employeeId)
    let employee: Employee | null = null
    if (employeeId !== 0) {
      employee = await Employee.query()
        .where('id', employeeId)
        .where('customer_id', customer.id)
        .preload('department')
        .first()
      if (!employee) return ctx.response.notFound('Not found')
    }
    return employeeView(
      ctx,
      await query(ctx),
      'insights/employee',
      customer,
      employee,
      employeeId,
      links(customer.id)
    )
  }

  /** Margin across customers (staff only: the portal never sees supplier cost). */
  async margin(ctx: HttpContext) {
    return marginView(ctx, await marginQueryValidator.validate(ctx.request.qs()), 'insights/margin')
  }

  async waste(ctx: HttpContext) {
    const customer = await Customer.findOrFail(ctx.params.id)
    return wasteView(ctx, await query(ctx), 'insights/waste', customer, links(customer.id))
  }

  async anomalies(ctx: HttpContext) {
    const customer = await Customer.findOrFail(ctx.params.id)
    return anomaliesView(ctx, await query(ctx), 'insights/anomalies', customer, links(customer.id))
  }

  async statement(ctx: HttpContext) {
    const customer = await Customer.findOrFail(ctx.params.id)
    const employee = await Employee.query()
      .where('id', Number(ctx.params.employeeId) || 0)
      .where('customer_id', customer.id)
      .first()
    if (!employee) return ctx.response.notFound('Not found')
    return statementPdf(ctx, await query(ctx), customer, employee)
  }
}
