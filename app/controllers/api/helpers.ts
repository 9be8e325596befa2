import type { HttpContext } from '@adonisjs/core/http'
import { DEFAULT_PER_PAGE } from '#api/pagination'

/** page / perPage of a validated query, with the defaults. */
export function paging(input: { page?: number; perPage?: number }) {
  return { page: input.page ?? 1, perPage: input.perPage ?? DEFAULT_PER_PAGE }
}

/** A rule of the data refused the change: 422 in the same shape as VineJS field errors. */
export function unprocessable(
  response: HttpContext['response'],
  field: string | null,
  message: string
) {
  return response.unprocessableEntity({
    errors: [{ field: field ?? 'body', message, rule: 'domain' }],
  })
}

export function actorOf(auth: HttpContext['auth']) {
  return { userId: auth.getUserOrFail().id }
}
