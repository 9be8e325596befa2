import limiter from '@adonisjs/limiter/services/main'
import { errors } from '@adonisjs/limiter'
import { loginThrottle } from '#config/security'

/**
 * Throttling of password guesses (login, portal invitation acceptance), per account and per
 * client IP, counted in the database store so several web processes share the counts. An
 * attempt is counted before the password is checked, so parallel guesses cannot slip past; a
 * success clears the account's count and gives the IP its attempt back.
 */

export type ThrottledResult<T> =
  { ok: true; value: T } | { ok: false; retryInSeconds: number | null }

const lockout = () => `${loginThrottle.lockoutMinutes} minutes`
const limiterFor = (requests: number) =>
  limiter.use('database', { requests, duration: lockout(), blockDuration: lockout() })

/** "in 14 minutes" / "in 40 seconds": when the person may try again. */
export function retryText(seconds: number) {
  if (seconds >= 90) return `in ${Math.ceil(seconds / 60)} minutes`
  return `in ${Math.max(1, seconds)} seconds`
}

/**
 * Runs `attempt` (true-ish result = right password) unless the account or the IP is out of
 * attempts. `retryInSeconds` is set when the refusal is the throttle's, null for a wrong password.
 */
export async function throttled<T>(
  keys: { account?: string | null; ip: string; scope: string },
  attempt: () => Promise<T | null>
): Promise<ThrottledResult<T>> {
  const checks: [ReturnType<typeof limiterFor>, string][] = [
    [limiterFor(loginThrottle.perIp), `${keys.scope}:ip:${keys.ip}`],
  ]
  if (keys.account)
    checks.unshift([
      limiterFor(loginThrottle.perAccount),
      `${keys.scope}:account:${keys.account.trim().toLowerCase()}`,
    ])
  for (const [l, key] of checks) {
    try {
      await l.consume(key)
    } catch (error) {
      if (error instanceof errors.E_TOO_MANY_REQUESTS)
        return { ok: false, retryInSeconds: error.response.availableIn }
      throw error
    }
  }
  const value = await attempt()
  if (value === null || value === undefined || value === false)
    return { ok: false, retryInSeconds: null }
  for (const [l, key] of checks) {
    if (key.includes(':account:')) await l.delete(key)
    else await l.decrement(key)
  }
  return { ok: true, value }
}
