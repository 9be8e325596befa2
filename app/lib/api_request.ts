import type { HttpContext } from '@adonisjs/core/http'

/**
 * A request to the REST API that carries a bearer token. Only such requests skip the CSRF and
 * same-origin checks: the API authenticates by that header alone, never by the session cookie.
 */
export function isBearerApiCall(request: HttpContext['request']) {
  return (
    request.url().startsWith('/api/') &&
    /^Bearer\s+\S+/i.test(request.header('authorization') ?? '')
  )
}
