import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { drainRequest } from '#lib/uploads'

/** Body bytes of a refused upload read and dropped before answering. */
const MAX_DRAIN_BYTES = 1024 * 1024

/**
 * For routes that read their own multipart body (bodyparser `processManually`): a request answered
 * before its body was read (not logged in, wrong role) has the body read and dropped, up to
 * MAX_DRAIN_BYTES, before the answer goes out. A client still sending its file then gets the 403 or
 * the redirect to the login page, not a broken pipe; a bigger body is cut off.
 */
export default class DrainUnreadBodyMiddleware {
  async handle({ request }: HttpContext, next: NextFn) {
    try {
      return await next()
    } finally {
      await drainRequest(request.request, MAX_DRAIN_BYTES)
    }
  }
}
