import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { contentSecurityPolicy, corsOrigins, referrerPolicy } from '#config/security'
import { isBearerApiCall } from '#lib/api_request'

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Server-wide (also static files, 404s and error pages): Content-Security-Policy and
 * Referrer-Policy on every response; a state-changing request whose Origin is neither this site
 * nor in CORS_ORIGINS is refused before any route runs (defence in depth beside the CSRF token:
 * another port of the same host shares our cookies).
 */
/**
 * Server-to-server callbacks authenticated by their own signature, not by our cookies: an Origin
 * they send says nothing about a browser session (GoCardless: app/payments/gocardless_webhooks.ts).
 */
const SIGNED_CALLBACKS = new Set(['/webhooks/gocardless'])

export default class SecurityHeadersMiddleware {
  async handle({ request, response }: HttpContext, next: NextFn) {
    response.header('Content-Security-Policy', contentSecurityPolicy)
    response.header('Referrer-Policy', referrerPolicy)
    const origin = request.header('origin')
    if (
      origin &&
      UNSAFE_METHODS.has(request.method()) &&
      !isOwnOrigin(origin, request) &&
      !corsOrigins.includes(origin) &&
      !SIGNED_CALLBACKS.has(request.url()) &&
      // A bearer-token API call is authenticated by its header, which a browser never adds by itself.
      !isBearerApiCall(request)
    ) {
      return response.forbidden('Cross-origin requests are not accepted')
    }
    return next()
  }
}

/** Behind a TLS-terminating proxy the browser's origin is APP_URL's, not what this process sees. */
const appOrigin = (() => {
  try {
    return new URL(process.env.APP_URL ?? '').origin
  } catch {
    return null
  }
})()

function isOwnOrigin(origin: string, request: HttpContext['request']) {
  return origin === appOrigin || origin === `${request.protocol()}://${request.host()}`
}
