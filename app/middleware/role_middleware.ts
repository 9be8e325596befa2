import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { UserRole } from '#models/user'

/**
 * Lets a request through only for the listed roles. Runs after `auth`.
 * A portal user who strays onto staff routes gets a 404, not a hint that the page exists.
 */
export default class RoleMiddleware {
  async handle(ctx: HttpContext, next: NextFn, options: { roles: UserRole[] }) {
    const user = ctx.auth.getUserOrFail()
    if (!options.roles.includes(user.role)) {
      if (user.role === 'portal') return ctx.response.notFound('Not found')
      return ctx.response.forbidden('You do not have access to this page')
    }
    return next()
  }
}
