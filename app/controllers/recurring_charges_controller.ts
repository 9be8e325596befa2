import type { HttpContext } from '@adonisjs/core/http'
import { errors as vineErrors } from '@vinejs/vine'
import Customer from '#models/customer'
import RecurringCharge from '#models/recurring_charge'
import {
  endRecurringChargeValidator,
  recurringChargeInput,
  recurringChargeValidator,
} from '#validators/recurring_charge'
import {
  RecurringChargeError,
  managedChargeError,
  createRecurringCharge,
  deleteRecurringCharge,
  endRecurringCharge,
  updateRecurringCharge,
} from '#consolidation/recurring_charges'
import { recurringChargesIndexProps } from '#consolidation/recurring_charge_views'

export default class RecurringChargesController {
  async index({ inertia, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    return inertia.render('recurring_charges/index', await recurringChargesIndexProps(customer))
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
