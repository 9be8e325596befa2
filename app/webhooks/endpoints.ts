import { randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import encryption from '@adonisjs/core/services/encryption'
import WebhookEndpoint from '#models/webhook_endpoint'
import { audit } from '#lib/audit'
import { sqlTime } from '#lib/db_helpers'
import { OutboundBlockedError, assertOutboundAllowed, isAllowListed } from '#lib/net_guard'
import { TEST_EVENT, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '#webhooks/catalogue'
import { recordWebhookEvent } from '#webhooks/events'
import { deliverDueWebhooks } from '#webhooks/sender'

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly field: 'url' | 'events' | null = null,
    readonly kind: 'invalid' | 'not_found' = 'invalid'
  ) {
    super(message)
  }
}

export interface EndpointInput {
  url: string
  description?: string | null
  events: WebhookEventType[]
  active?: boolean
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`

/** A receiver URL Tollgate may post to: https (plain http only to an allow-listed host), never internal. */
async function checkUrl(url: string) {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new WebhookError('Enter a full URL such as https://example.com/hooks/tollgate', 'url')
  }
  if (
    parsed.protocol !== 'https:' &&
    !(parsed.protocol === 'http:' && isAllowListed(parsed.hostname))
  ) {
    throw new WebhookError('Use an https:// URL: webhook bodies carry customer data', 'url')
  }
  if (parsed.username || parsed.password)
    throw new WebhookError(
      'Put no user name or password in the URL: receivers check the signature instead',
      'url'
    )
  try {
    await assertOutboundAllowed(parsed)
  } catch (error) {
    if (error instanceof OutboundBlockedError) throw new WebhookError(error.message, 'url')
    throw error
  }
}

function checkEvents(events: string[]) {
  if (events.length === 0) throw new WebhookError('Choose at least one event', 'events')
  const unknown = events.filter((e) => !WEBHOOK_EVENT_TYPES.includes(e as WebhookEventType))
  if (unknown.length) throw new WebhookError(`Unknown event: ${unknown.join(', ')}`, 'events')
}

/** Adds an endpoint; the answer holds its signing secret, which is shown this once. */
export async function createEndpoint(input: EndpointInput, userId: number | null) {
  await checkUrl(input.url)
  checkEvents(input.events)
  const secret = newSecret()
  const endpoint = await db.transaction(async (trx) => {
    const created = await WebhookEndpoint.create(
      {
        url: input.url,
        description: input.description ?? null,
        events: input.events,
        active: input.active ?? true,
        secretEncrypted: encryption.encrypt(secret),
      },
      { client: trx }
    )
    await audit(
      {
        userId,
        action: 'webhook.create',
        subjectType: 'webhook_endpoint',
        subjectId: created.id,
        changes: { url: input.url, events: input.events },
      },
      trx
    )
    return created
  })
  return { endpoint, secret }
}

async function findEndpoint(id: number, client = db.connection()) {
  const endpoint = await WebhookEndpoint.find(id, { client })
  if (!endpoint) throw new WebhookError('Webhook endpoint not found', null, 'not_found')
  return endpoint
}

export async function updateEndpoint(id: number, input: EndpointInput, userId: number | null) {
  await checkUrl(input.url)
  checkEvents(input.events)
  return db.transaction(async (trx) => {
    const endpoint = await findEndpoint(id, trx)
    endpoint.useTransaction(trx)
    endpoint.merge({
      url: input.url,
      description: input.description ?? null,
      events: input.events,
      active: input.active ?? endpoint.active,
    })
    await endpoint.save()
    await audit(
      {
        userId,
        action: 'webhook.update',
        subjectType: 'webhook_endpoint',
        subjectId: id,
        changes: { url: input.url, events: input.events, active: endpoint.active },
      },
      trx
    )
    return endpoint
  })
}

/** A new signing secret (the old one stops working at once); shown this once. */
export async function rotateSecret(id: number, userId: number | null) {
  const secret = newSecret()
  await db.transaction(async (trx) => {
    const endpoint = await findEndpoint(id, trx)
    await trx
      .from('webhook_endpoints')
      .where('id', endpoint.id)
      .update({ secret_encrypted: encryption.encrypt(secret), updated_at: sqlTime() })
    await audit(
      { userId, action: 'webhook.rotate_secret', subjectType: 'webhook_endpoint', subjectId: id },
      trx
    )
  })
  return secret
}

export async function deleteEndpoint(id: number, userId: number | null) {
  await db.transaction(async (trx) => {
    const endpoint = await findEndpoint(id, trx)
    await trx.from('webhook_deliveries').where('endpoint_id', endpoint.id).delete()
    await trx.from('webhook_endpoints').where('id', endpoint.id).delete()
    await audit(
      {
        userId,
        action: 'webhook.delete',
        subjectType: 'webhook_endpoint',
        subjectId: id,
        changes: { url: endpoint.url },
      },
      trx
    )
  })
}

/** Queues the same event to the same endpoint again (the original stays in the log) and sends it. */
export async function replayDelivery(deliveryId: number, userId: number | null) {
  const replayId = await db.transaction(async (trx) => {
    const original = await trx.from('webhook_deliveries').where('id', deliveryId).first()
    if (!original) throw new WebhookError('Webhook delivery not found', null, 'not_found')
    const now = sqlTime()
    const [id] = await trx.table('webhook_deliveries').insert({
      event_id: original.event_id,
      endpoint_id: original.endpoint_id,
      status: 'queued',
      attempts: 0,
      next_attempt_at: now,
      replay_of: original.id,
      created_at: now,
      updated_at: now,
    })
    await audit(
      {
        userId,
        action: 'webhook.replay',
        subjectType: 'webhook_endpoint',
        subjectId: Number(original.endpoint_id),
        changes: { delivery: deliveryId },
      },
      trx
    )
    return Number(id)
  })
  const result = await deliverDueWebhooks({ onlyIds: [replayId] })
  return (
    result.outcomes[0] ?? {
      deliveryId: replayId,
      status: 'queued' as const,
      responseStatus: null,
      error: null,
    }
  )
}

/** Sends a `webhook.test` event to one endpoint now, so a person sees at once whether it works. */
export async function sendTestEvent(endpointId: number, userId: number | null) {
  const endpoint = await findEndpoint(endpointId)
  const recorded = await recordWebhookEvent(
    TEST_EVENT,
    { message: 'A test event from Tollgate', endpoint_id: endpoint.id },
    db.connection(),
    [endpoint.id]
  )
  await audit({
    userId,
    action: 'webhook.test',
    subjectType: 'webhook_endpoint',
    subjectId: endpoint.id,
  })
  const ids = (
    await db.from('webhook_deliveries').where('event_id', recorded.eventId).select('id')
  ).map((r: any) => Number(r.id))
  const result = await deliverDueWebhooks({ onlyIds: ids })
  return result.outcomes[0]
}
