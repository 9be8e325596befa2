import type { HttpContext } from '@adonisjs/core/http'
import { errors as vineErrors } from '@vinejs/vine'
import { DateTime } from 'luxon'
import Customer from '#models/customer'
import Employee from '#models/employee'
import Service from '#models/service'
import RecurringCharge from '#models/recurring_charge'
import {
  endRecurringChargeValidator,
  recurringChargeInput,
  recurringChargeValidator,
} from '#validators/recurring_charge'
import {
  MANUAL_CATEGORIES,
  RecurringChargeError,
  managedChargeError,
  createRecurringCharge,
  deleteRecurringCharge,
  endRecurringCharge,
  listRecurringCharges,
  updateRecurringCharge,
} from '#consolidation/recurring_charges'
import { formatScaled } from '#lib/money'
import { employeeOptions } from '#consolidation/pickers'

export default class RecurringChargesController {
  async index({ inertia, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const rows = await listRecurringCharges(customer.id)
    const [employees, services] = await Promise.all([
      Employee.query()
        .where('customer_id', customer.id)
        .orderBy('name')
        .select('id', 'name', 'active'),
      Service.query()
        .where('customer_id', customer.id)
        .orderBy('identifier')
        .select('id', 'identifier', 'label')
        .limit(5000),
    ])
    return inertia.render('recurring_charges/index', {
      customer: {
        id: customer.id,
        name: customer.name,
        currency: customer.currency,
        recurringBilling: customer.recurringBilling,
      },
      categories: [...MANUAL_CATEGORIES],
      today: DateTime.now().setZone(customer.timeZone).toISODate()!,
      employees: employees.map((e) => ({ id: e.id, name: e.name, active: !!e.active })),
      employeeOptions: await employeeOptions(customer.id, { activeOnly: false }),
      services: services.map((s) => ({
        id: s.id,
        label: s.label ? `${s.identifier} (${s.label})` : s.identifier,
      })),
      charges: rows.map(({ charge: c, billed }) => ({
        id: c.id,
        description: c.description,
        category: c.category,
        quantity: c.quantity,
        unitPrice: formatScaled(Number(c.unitPriceE4), 4),
        unitCost: formatScaled(Number(c.unitCostE4), 4),
        startsOn: c.startsOn.toISODate(),
        endsOn: c.endsOn ? c.endsOn.toISODate() : null,
        employeeId: c.employeeId,
        employee: c.employee?.name ?? null,
        serviceId: c.serviceId,
        service: c.service?.identifier ?? null,
        origin: c.origin,
        billed,
      })),
    })
  }

  async store(ctx: HttpContext) {
    const { request, response, params, auth, session } = ctx
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(recurringChargeValidator, {
      meta: { customerId: customer.id },
    })
    const charge = await createRecurringCharge(
      customer.id,
      recurringChargeInput(input),
      auth.user!.id
    )
    if (wantsJson(ctx)) return response.created({ id: charge.id })
    session.flash('success', `${charge.description} added`)
    return response.redirect(`/customers/${customer.id}/recurring-charges`)
  }

  async update(ctx: HttpContext) {
    const { request, response, params, auth, session } = ctx
    const charge = await RecurringCharge.findOrFail(params.id)
    // Before the form is validated: a synced charge is refused whatever was sent.
    const managed = managedChargeError(charge)
    if (managed) return refuse(ctx, managed)
    const input = await request.validateUsing(recurringChargeValidator, {
      meta: { customerId: charge.customerId },
    })
    try {
      await updateRecurringCharge(charge, recurringChargeInput(input), auth.user!.id)
    } catch (error) {
      return refuse(ctx, error)
    }
    if (wantsJson(ctx)) return response.ok({ id: charge.id })
    session.flash('success', `${charge.description} saved`)
    return response.redirect(`/customers/${charge.customerId}/recurring-charges`)
  }

  async end(ctx: HttpContext) {
    const { request, response, params, auth, session } = ctx
    const charge = await RecurringCharge.findOrFail(params.id)
    // Before the form is validated: a synced charge is refused whatever was sent.
    const managed = managedChargeError(charge)
    if (managed) return refuse(ctx, managed)
    const { endsOn } = await request.validateUsing(endRecurringChargeValidator)
    try {
      await endRecurringCharge(charge, endsOn, auth.user!.id)
    } catch (error) {
      return refuse(ctx, error)
    }
    if (wantsJson(ctx)) return response.ok({ id: charge.id })
    session.flash('success', `${charge.description} ends on ${endsOn}`)
    return response.redirect(`/customers/${charge.customerId}/recurring-charges`)
  }

  async destroy(ctx: HttpContext) {
    const { response, params, auth, session } = ctx
    const charge = await RecurringCharge.findOrFail(params.id)
    try {
      await deleteRecurringCharge(charge, auth.user!.id)
    } catch (error) {
      return refuse(ctx, error)
    }
    if (wantsJson(ctx)) return response.ok({ deleted: charge.id })
    session.flash('success', `${charge.description} deleted`)
    return response.redirect(`/customers/${charge.customerId}/recurring-charges`)
  }
}

function wantsJson({ request }: HttpContext) {
  return !request.header('x-inertia') && request.accepts(['html', 'json']) === 'json'
}

/** 403 for a charge managed by a sync; 422 field errors (as VineJS reports them) for the rest. */
function refuse(ctx: HttpContext, error: unknown) {
  if (!(error instanceof RecurringChargeError)) throw error
  if (error.status === 422) {
    throw new vineErrors.E_VALIDATION_ERROR([
      { field: error.field ?? 'id', message: error.message, rule: 'recurringCharge' },
    ])
  }
  if (wantsJson(ctx)) return ctx.response.forbidden({ errors: [{ message: error.message }] })
  return ctx.response.forbidden(error.message)
}
