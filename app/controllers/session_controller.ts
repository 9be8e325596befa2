import type { HttpContext } from '@adonisjs/core/http'
import User from '#models/user'
import { loginValidator } from '#validators/session'
import { retryText, throttled } from '#lib/login_throttle'
import { stampSession } from '#lib/session_stamp'

export default class SessionController {
  async create({ inertia }: HttpContext) {
    inertia.clearHistory()
    return inertia.render('auth/login')
  }

  async store({ request, auth, response, session }: HttpContext) {
    const { email, password } = await request.validateUsing(loginValidator)
    const result = await throttled({ scope: 'login', account: email, ip: request.ip() }, () =>
      User.verifyCredentials(email, password).catch(() => null)
    )
    if (!result.ok) {
      session.flash(
        'error',
        result.retryInSeconds === null
          ? 'Email or password is wrong'
          : `Too many failed logins. Try again ${retryText(result.retryInSeconds)}.`
      )
      if (result.retryInSeconds !== null)
        response.header('Retry-After', String(result.retryInSeconds))
      session.flashOnly(['email'])
      return response.redirect().back()
    }
    const user = result.value
    await auth.use('web').login(user)
    stampSession(session, user)
    return response.redirect(user.role === 'portal' ? '/portal' : '/')
  }

  /** Logging out ends every session of this user (also copies of the cookie): the session version moves on. */
  async destroy({ auth, response, session }: HttpContext) {
    const user = auth.use('web').user
    if (user) {
      user.sessionVersion = (user.sessionVersion ?? 0) + 1
      await user.save()
    }
    await auth.use('web').logout()
    session.clear()
    return response.redirect('/login')
  }
}
