import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import { accountAliasValidator } from '#validators/routing'
import { AliasConflict, addAlias, removeAlias } from '#consolidation/account_aliases'

export default class AccountAliasesController {
  async store({ params, request, response, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(accountAliasValidator)
    try {
      await addAlias(
        { customerId: customer.id, connectorId: input.connectorId ?? null, alias: input.alias },
        auth.user!.id
      )
    } catch (error) {
      if (!(error instanceof AliasConflict)) throw error
      session.flashErrors({ [error.field]: error.message })
      session.flashAll()
      return response.redirect(`/customers/${customer.id}`)
    }
    session.flash('success', `Alias ${input.alias} added`)
    return response.redirect(`/customers/${customer.id}`)
  }

  async destroy({ params, response, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    if (!(await removeAlias(customer.id, Number(params.aliasId), auth.user!.id)))
      return response.notFound('Not found')
    session.flash('success', 'Alias removed')
    return response.redirect(`/customers/${customer.id}`)
  }
}
