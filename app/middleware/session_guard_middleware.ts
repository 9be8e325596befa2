import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { sessionTimeouts } from '#config/security'
import {
  SESSION_STAMP_KEY,
  sessionEndReason,
  stampSession,
  type SessionStamp,
} from '#lib/session_stamp'

const MESSAGES = {
  ended: 'You were signed out (logout, a new password or a new role). Please log in again.',
  idle: `You were signed out after ${sessionTimeouts.idleMinutes} minutes without activity. Please log in again.`,
  expired: `You were signed out: a login lasts at most ${sessionTimeouts.maxHours} hours. Please log in again.`,
}

/** Writing the last-seen time at most this often keeps cookie sessions from changing on every request. */
const SEEN_RESOLUTION_MS = 30_000

/**
 * Every request of a logged-in user: the session must carry the user's current session
 * version (logout, password change and role change bump it, see the User model), and must be
 * neither idle nor older than the absolute limit (config/security.ts). A session that fails is
 * logged out; the route then treats the request as a guest's (login page for staff pages).
 */
export default class SessionGuardMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const guard = ctx.auth.use('web')
    if (!(await guard.check())) return next()
    const user = guard.user!
    const stamp = ctx.session.get(SESSION_STAMP_KEY) as SessionStamp | undefined
    const now = Date.now()
    if (!stamp) {
      // Sessions opened before this check existed (and test logins) start counting now.
      stampSession(ctx.session, user, now)
      return next()
    }
    const reason = sessionEndReason(stamp, user.sessionVersion ?? 0, sessionTimeouts, now)
    if (reason) {
      await guard.logout()
      ctx.session.forget(SESSION_STAMP_KEY)
      ctx.session.flash('error', MESSAGES[reason])
      return next()
    }
    if (now - stamp.seenAt > SEEN_RESOLUTION_MS)
      ctx.session.put(SESSION_STAMP_KEY, { ...stamp, seenAt: now })
    return next()
  }
}
