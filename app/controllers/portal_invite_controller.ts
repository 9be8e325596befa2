import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import { acceptInviteValidator } from '#validators/insights'
import { acceptInvite, findInvite } from '#insights/portal_invites'

/** /portal/invite/:token — the invitee chooses a password (guests only). */
export default class PortalInviteController {
  async show({ params, inertia }: HttpContext) {
    const invite = await findInvite(String(params.token))
    if (!invite) return inertia.render('portal/invite', { valid: false, token: null, customerName: null })
    const customer = await Customer.find(invite.customerId)
    return inertia.render('portal/invite', { valid: true, token: String(params.token), customerName: customer?.name ?? null })
  }

  async store({ params, request, response, session, auth }: HttpContext) {
    const { password } = await request.validateUsing(acceptInviteValidator)
    const user = await acceptInvite(String(params.token), password)
    if (!user) {
      session.flash('error', 'This invitation link is no longer valid. Ask your account manager for a new one.')
      return response.redirect('/login')
    }
    await auth.use('web').login(user)
    session.flash('success', 'Your password is set. Welcome to the portal.')
    return response.redirect('/portal')
  }
}
