import type { Session } from '@adonisjs/session'

/** Session key of the login's stamp: the user's session version and when it started / was last used. */
export const SESSION_STAMP_KEY = 'tollgate_stamp'

export type SessionStamp = { v: number; loginAt: number; seenAt: number }

/** Called right after a login: the session belongs to this version of the user, from now. */
export function stampSession(
  session: Session,
  user: { sessionVersion?: number | null },
  now = Date.now()
) {
  session.put(SESSION_STAMP_KEY, {
    v: user.sessionVersion ?? 0,
    loginAt: now,
    seenAt: now,
  } satisfies SessionStamp)
}

/**
 * Why a session must end ("signed out elsewhere", "idle", "expired"), or null while it is good.
 * Pure, so the rules are testable without a request.
 */
export function sessionEndReason(
  stamp: SessionStamp,
  currentVersion: number,
  limits: { idleMinutes: number; maxHours: number },
  now = Date.now()
) {
  if (stamp.v !== currentVersion) return 'ended'
  if (now - stamp.seenAt > limits.idleMinutes * 60_000) return 'idle'
  if (now - stamp.loginAt > limits.maxHours * 3_600_000) return 'expired'
  return null
}
