import type { HttpContext } from '@adonisjs/core/http'
import { handleWebhook, InvalidSignature } from '#payments/gocardless_webhooks'

/** POST /webhooks/gocardless — GoCardless calls this (no session, no CSRF; the HMAC signature is the check). */
export default class GoCardlessWebhooksController {
  async handle({ request, response }: HttpContext) {
    try {
      const outcomes = await handleWebhook(request.raw() ?? '', request.header('Webhook-Signature'))
      return response.ok({ ok: true, outcomes })
    } catch (error) {
      if (!(error instanceof InvalidSignature)) throw error
      // GoCardless's documented answer to a bad signature.
      return response.status(498).send({ error: 'Invalid Token' })
    }
  }
}
