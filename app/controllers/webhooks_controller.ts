import type { HttpContext } from '@adonisjs/core/http'
import { webhookEndpointValidator, webhookPageValidator } from '#validators/webhook'
import {
  WebhookError,
  createEndpoint,
  deleteEndpoint,
  replayDelivery,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
} from '#webhooks/endpoints'
import { webhookShowProps, webhooksIndexProps } from '#webhooks/read_models'
import type { WebhookOutcome } from '#webhooks/sender'

/** Endpoints of the reseller's own systems that Tollgate tells about invoices, payments and imports. */
export default class WebhooksController {
  async index({ inertia }: HttpContext) {
    return inertia.render('webhooks/index', await webhooksIndexProps())
  }

  async store({ request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(webhookEndpointValidator)
    try {
      const { endpoint, secret } = await createEndpoint(input, auth.user!.id)
      session.flash('webhookSecret', secret)
      session.flash(
        'success',
        'Webhook endpoint added. Copy its signing secret now: it is shown only once.'
      )
      return response.redirect(`/webhooks/${endpoint.id}`)
    } catch (error) {
      return this.refuse(error, session, response)
    }
  }

  async show({ params, request, inertia, session, response }: HttpContext) {
    const { page } = await request.validateUsing(webhookPageValidator, { data: request.qs() })
    const props = await webhookShowProps(
      Number(params.id),
      page ?? 1,
      session.flashMessages.get('webhookSecret') ?? null
    )
    if (!props) return response.notFound('Webhook endpoint not found')
    return inertia.render('webhooks/show', props)
  }

  async update({ params, request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(webhookEndpointValidator)
    try {
      await updateEndpoint(Number(params.id), input, auth.user!.id)
      session.flash('success', 'Webhook endpoint saved')
      return response.redirect(`/webhooks/${params.id}`)
    } catch (error) {
      return this.refuse(error, session, response)
    }
  }

  async destroy({ params, response, session, auth }: HttpContext) {
    try {
      await deleteEndpoint(Number(params.id), auth.user!.id)
      session.flash('success', 'Webhook endpoint removed with its delivery log')
      return response.redirect('/webhooks')
    } catch (error) {
      return this.refuse(error, session, response)
    }
  }

  async rotate({ params, response, session, auth }: HttpContext) {
    try {
      session.flash('webhookSecret', await rotateSecret(Number(params.id), auth.user!.id))
      session.flash(
        'success',
        'New signing secret made; the old one no longer verifies. Copy it now: it is shown only once.'
      )
      return response.redirect(`/webhooks/${params.id}`)
    } catch (error) {
      return this.refuse(error, session, response)
    }
  }

  async test({ params, response, session, auth }: HttpContext) {
    try {
      this.tell(session, 'Test event', await sendTestEvent(Number(params.id), auth.user!.id))
      return response.redirect(`/webhooks/${params.id}`)
    } catch (error) {
      return this.refuse(error, session, response)
    }
  }

  async replay({ params, response, session, auth }: HttpContext) {
    try {
      const outcome = await replayDelivery(Number(params.deliveryId), auth.user!.id)
      this.tell(session, 'Replay', outcome)
      return response.redirect().back()
    } catch (error) {
      return this.refuse(error, session, response)
    }
  }

  private tell(session: HttpContext['session'], what: string, outcome: WebhookOutcome | undefined) {
    if (outcome?.status === 'delivered')
      session.flash(
        'success',
        `${what} delivered: the receiver answered HTTP ${outcome.responseStatus}`
      )
    else
      session.flash(
        'error',
        `${what} not delivered: ${outcome?.error ?? 'no delivery was made'}${outcome?.status === 'queued' ? ' (it will be retried)' : ''}`
      )
  }

  private refuse(
    error: unknown,
    session: HttpContext['session'],
    response: HttpContext['response']
  ) {
    if (!(error instanceof WebhookError)) throw error
    if (error.kind === 'not_found') return response.notFound(error.message)
    if (error.field) session.flash('inputErrorsBag', { [error.field]: [error.message] })
    session.flash('error', error.message)
    return response.redirect().back()
  }
}
