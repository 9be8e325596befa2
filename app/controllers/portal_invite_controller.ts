import type { HttpContext } from '@adonisjs/core/http'
import { acceptInviteValidator } from '#validators/insights'
import { acceptInvite, findInvite, hashToken } from '#insights/portal_invites'
import { portalInviteProps } from '#insights/portal_views'
import { retryText, throttled } from '#lib/login_throttle'
import { stampSession } from '#lib/session_stamp'

const tooMany = (seconds: number) =>
  `Too many attempts with invitation links. Try again ${retryText(seconds)}.`

/** /portal/invite/:token — the invitee chooses a password (guests only). Guessing tokens is throttled per IP. */
export default class PortalInviteController {
  async show({ params, inertia, request, response }: HttpContext) {
    const token = String(params.token)
    const found = await throttled({ scope: 'invite', ip: request.ip() }, () => findInvite(token))
    if (!found.ok) {
      if (found.retryInSeconds !== null)
        response.status(429).header('Retry-After', String(found.retryInSeconds))
      const error = found.retryInSeconds === null ? null : tooMany(found.retryInSeconds)
      return inertia.render('portal/invite', await portalInviteProps(token, null, error))
    }
    return inertia.render('portal/invite', await portalInviteProps(token, found.value))
  }

  async store({ params, request, response, session, auth }: HttpContext) {
    const { password } = await request.validateUsing(acceptInviteValidator)
    const token = String(params.token)
    const result = await throttled(
      { scope: 'invite', account: hashToken(token), ip: request.ip() },
      () => acceptInvite(token, password)
    )
    if (!result.ok) {
      if (result.retryInSeconds !== null) {
        session.flash('error', tooMany(result.retryInSeconds))
        response.header('Retry-After', String(result.retryInSeconds))
        return response.redirect().back()
      }
      session.flash(
        'error',
        'This invitation link is no longer valid. Ask your account manager for a new one.'
      )
      return response.redirect('/login')
    }
    await auth.use('web').login(result.value)
    stampSession(session, result.value)
    session.flash('success', 'Your password is set. Welcome to the portal.')
    return response.redirect('/portal')
  }
}
