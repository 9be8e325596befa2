import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { abilitiesAllowed } from '#api/tokens'

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Requests per minute and token (API_REQUESTS_PER_MINUTE), read per request so operators can tune it live. */
export function apiRequestsPerMinute() {
  const n = Number(process.env.API_REQUESTS_PER_MINUTE)
  return Number.isInteger(n) && n > 0 ? n : 600
}

const refuse = (ctx: HttpContext, status: 401 | 403 | 429, message: string) =>
  ctx.response.status(status).send({ errors: [{ message }] })

/**
 * /api/v1: a bearer token of the `api` guard, never a session cookie (so CSRF does not apply,
 * config/shield.ts). Staff only; GET needs the token's `read`, everything else `write`, and the
 * user's role must still allow it (a token outlives a demotion to viewer, its writes do not).
 */
export default class ApiAuthMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    // Errors thrown further on (validation, not found) are rendered as JSON whatever the client accepts.
    ctx.request.request.headers.accept = 'application/json'
    let user
    try {
      user = await ctx.auth.authenticateUsing(['api'])
    } catch {
      return refuse(ctx, 401, 'A valid API token is required: Authorization: Bearer <token>')
    }
    if (!user.isStaff) return refuse(ctx, 403, 'Portal users have no API access')
    const needs = READ_METHODS.has(ctx.request.method()) ? 'read' : 'write'
    const token = ctx.auth.use('api').user!.currentAccessToken
    if (!token.allows(needs) || !abilitiesAllowed(user.role).includes(needs)) {
      return refuse(ctx, 403, `This token (or its user's role) does not allow ${needs}`)
    }
    try {
      const limit = await limiter
        .use('database', { requests: apiRequestsPerMinute(), duration: '1 minute' })
        .consume(`api:${token.identifier}`)
      ctx.response.header('X-RateLimit-Limit', limit.limit)
      ctx.response.header('X-RateLimit-Remaining', limit.remaining)
    } catch (error) {
      if (!(error instanceof limiterErrors.E_TOO_MANY_REQUESTS)) throw error
      ctx.response.header('Retry-After', error.response.availableIn)
      return refuse(
        ctx,
        429,
        `Too many requests for this token; try again in ${error.response.availableIn} seconds`
      )
    }
    return next()
  }
}
