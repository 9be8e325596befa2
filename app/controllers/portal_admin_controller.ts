import type { HttpContext } from '@adonisjs/core/http'
import env from '#start/env'
import Customer from '#models/customer'
import { miAddonValidator, portalInviteValidator } from '#validators/insights'
import { setMiAddon } from '#insights/mi_addon'
import { PortalInviteError, invitePortalUser } from '#insights/portal_invites'
import { portalAdminProps, removePortalUser } from '#insights/portal_users'

/** Staff side of the customer portal: the MI add-on switch and portal user invitations. */
export default class PortalAdminController {
  async show({ params, inertia }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    return inertia.render('insights/portal_admin', await portalAdminProps(customer))
  }

  async addon({ params, request, response, session, auth }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const { enabled } = await request.validateUsing(miAddonValidator)
    await setMiAddon(customer.id, enabled, auth.user?.id ?? null)
    session.flash(
      'success',
      enabled
        ? 'Management information add-on switched on'
        : 'Management information add-on switched off'
    )
    return response.redirect(`/customers/${customer.id}/portal`)
  }

  async invite({ params, request, response, session, auth }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const data = await request.validateUsing(portalInviteValidator)
    const baseUrl = env.get('APP_URL') || `${request.protocol()}://${request.host()}`
    try {
      await invitePortalUser(customer.id, data, auth.user?.id ?? null, baseUrl)
    } catch (error) {
      if (error instanceof PortalInviteError) {
        session.flash('error', error.message)
        return response.redirect(`/customers/${customer.id}/portal`)
      }
      throw error
    }
    session.flash('success', `Invitation sent to ${data.email}`)
    return response.redirect(`/customers/${customer.id}/portal`)
  }

  /** Removes a portal user of this customer (another customer's or a staff user's id: 404). */
  async removeUser({ params, response, session, auth }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const user = await removePortalUser(
      customer.id,
      Number(params.userId) || 0,
      auth.user?.id ?? null
    )
    if (!user) return response.notFound('Not found')
    session.flash('success', `${user.email} can no longer log in to the portal`)
    return response.redirect(`/customers/${customer.id}/portal`)
  }
}
