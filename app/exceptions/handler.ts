import { randomUUID } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import { HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const statusOf = (error: unknown) => Number((error as { status?: number })?.status) || 500

/**
 * The reference of a failed request: its request id (config/app.ts generateRequestId), which the
 * log line of the error carries too, so an administrator finds the detail from what a user reads.
 */
export function errorReference(ctx: HttpContext) {
  return ctx.request.id() ?? randomUUID()
}

export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction

  /**
   * In production people get a plain page with a reference, never a stack trace, SQL, headers
   * or the error object: the detail goes to the log under that reference.
   */
  protected renderStatusPages = app.inProduction

  protected statusPages: Record<StatusPageRange, StatusPageRenderer> = {
    '404': (_error, { inertia }) => inertia.render('errors/not_found', {}),
    '500..599': (_error, ctx) =>
      ctx.inertia.render('errors/server_error', { reference: errorReference(ctx) }),
  }

  async handle(error: unknown, ctx: HttpContext) {
    if (!this.debug && statusOf(error) >= 500)
      ctx.response.header('X-Error-Reference', errorReference(ctx))
    return super.handle(error, ctx)
  }

  /** JSON clients in production get the message of 4xx errors (ours, meant for people) and a reference for 5xx. */
  async renderErrorAsJSON(error: any, ctx: HttpContext) {
    if (this.debug) return super.renderErrorAsJSON(error, ctx)
    const status = statusOf(error)
    const body =
      status >= 500
        ? { message: 'Something went wrong', reference: errorReference(ctx) }
        : { message: error.message }
    ctx.response.status(status).send(body)
  }

  async renderErrorAsJSONAPI(error: any, ctx: HttpContext) {
    if (this.debug) return super.renderErrorAsJSONAPI(error, ctx)
    const status = statusOf(error)
    const title =
      status >= 500 ? `Something went wrong (reference ${errorReference(ctx)})` : error.message
    ctx.response.status(status).send({ errors: [{ title, status }] })
  }

  async renderErrorAsHTML(error: any, ctx: HttpContext) {
    if (this.debug) return super.renderErrorAsHTML(error, ctx)
    const status = statusOf(error)
    const text =
      status >= 500
        ? `Something went wrong (reference ${errorReference(ctx)})`
        : String(error.message)
    ctx.response
      .status(status)
      .type('html')
      .send(`<p>${esc(text)}</p>`)
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}
