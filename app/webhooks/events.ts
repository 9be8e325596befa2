import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { sqlTime } from '#lib/db_helpers'
import { TEST_EVENT, type WebhookEventType } from '#webhooks/catalogue'

export interface RecordedEvent {
  eventId: number
  deliveries: number
}

function subscribes(events: string, type: string) {
  try {
    const list = JSON.parse(events)
    return Array.isArray(list) && list.includes(type)
  } catch {
    return false
  }
}

/**
 * Records that something happened, and queues one delivery for every active endpoint that
 * subscribes to it. Pass the transaction of the change itself: the event then exists exactly
 * when the change does (an outbox), so a crash can neither lose it nor invent it.
 */
export async function recordWebhookEvent(
  type: WebhookEventType | typeof TEST_EVENT,
  data: Record<string, unknown>,
  client: QueryClientContract = db.connection(),
  onlyEndpointIds?: number[]
): Promise<RecordedEvent> {
  const now = sqlTime()
  const endpoints = await client
    .from('webhook_endpoints')
    .where('active', true)
    .select('id', 'events')
  const targets = endpoints
    .filter((e: any) =>
      onlyEndpointIds ? onlyEndpointIds.includes(Number(e.id)) : subscribes(e.events, type)
    )
    .map((e: any) => Number(e.id))
  const [inserted] = await client
    .table('webhook_events')
    .insert({ type, payload: JSON.stringify(data), created_at: now })
  const id = Number(inserted)
  if (targets.length > 0) {
    await client.table('webhook_deliveries').multiInsert(
      targets.map((endpointId) => ({
        event_id: id,
        endpoint_id: endpointId,
        status: 'queued',
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      }))
    )
  }
  return { eventId: id, deliveries: targets.length }
}

/** Several events of one change in its transaction (e.g. every invoice of a finalized run). */
export async function recordWebhookEvents(
  events: { type: WebhookEventType; data: Record<string, unknown> }[],
  client: QueryClientContract = db.connection()
) {
  for (const event of events) await recordWebhookEvent(event.type, event.data, client)
}
