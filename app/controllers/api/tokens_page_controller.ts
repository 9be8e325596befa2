import type { HttpContext } from '@adonisjs/core/http'
import { apiTokenValidator } from '#validators/api'
import { ApiTokenError, createApiToken, revokeApiToken } from '#api/tokens'
import { apiTokensProps, type CreatedApiToken } from '#api/token_views'

/** System → API tokens: create (the secret is shown once), list, revoke. */
export default class TokensPageController {
  async index({ inertia, auth, session }: HttpContext) {
    // Flashed once by store: gone on the next page view, and never stored in clear.
    const created = session.flashMessages.get('apiToken') as CreatedApiToken | undefined
    return inertia.render('api/tokens', await apiTokensProps(auth.getUserOrFail(), created ?? null))
  }

  async store({ request, response, auth, session }: HttpContext) {
    const input = await request.validateUsing(apiTokenValidator)
    try {
      const token = await createApiToken(auth.getUserOrFail(), {
        name: input.name,
        write: Boolean(input.write),
        expiresInDays: input.expiresInDays,
      })
      session.flash('apiToken', { name: input.name, secret: token.secret })
      session.flash('success', `Token ${input.name} created: copy it now, it is not shown again`)
    } catch (error) {
      if (!(error instanceof ApiTokenError)) throw error
      session.flashErrors({ [error.field]: error.message })
      session.flashAll()
    }
    return response.redirect('/api-tokens')
  }

  async destroy({ params, response, auth, session }: HttpContext) {
    const revoked = await revokeApiToken(auth.getUserOrFail(), Number(params.id))
    session.flash(
      revoked ? 'success' : 'error',
      revoked ? 'Token revoked: it stops working at once' : 'No such token'
    )
    return response.redirect('/api-tokens')
  }
}
