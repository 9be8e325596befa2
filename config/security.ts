import env from '#start/env'
import app from '@adonisjs/core/services/app'

/**
 * Site-wide security settings (docs/security.md). Everything here has a safe default; the
 * environment only widens it on purpose.
 */

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)

/** Origins (scheme://host:port) besides the app's own that may call it from a browser with cookies. */
export const corsOrigins = list(env.get('CORS_ORIGINS')).map((o) => o.replace(/\/$/, ''))

/**
 * Content-Security-Policy of every response. The Vite build emits only files (no inline script),
 * and Inertia passes the page as a data attribute, so scripts come from 'self' only. Styles allow
 * 'unsafe-inline' because Vue's style bindings and Inertia's progress bar set inline styles.
 * Outside production (development, tests) Vite's HMR talks over a websocket on its own port.
 */
const directives: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'", ...(app.inProduction ? [] : ['ws:', 'wss:'])],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  // The invoice page shows its PDF in a same-origin frame.
  'frame-ancestors': ["'self'"],
}
export const contentSecurityPolicy = Object.entries(directives)
  .map(([k, v]) => `${k} ${v.join(' ')}`)
  .join('; ')

/** No URL (invite tokens, filters) leaves the site in a Referer header. */
export const referrerPolicy = 'same-origin'

/** Sessions end after this long without a request, and this long after login whatever happens. */
export const sessionTimeouts = {
  idleMinutes: env.get('SESSION_IDLE_MINUTES', 60),
  maxHours: env.get('SESSION_MAX_HOURS', 12),
}

/** Wrong passwords allowed per account and per client IP before a pause of `lockoutMinutes`. */
export const loginThrottle = {
  perAccount: env.get('LOGIN_MAX_ATTEMPTS_ACCOUNT', 5),
  perIp: env.get('LOGIN_MAX_ATTEMPTS_IP', 20),
  lockoutMinutes: env.get('LOGIN_LOCKOUT_MINUTES', 15),
}
