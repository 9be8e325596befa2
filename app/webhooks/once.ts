import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { isDuplicateKey, sqlTime } from '#lib/db_helpers'
import { recordWebhookEvent, type RecordedEvent } from '#webhooks/events'
import type { WebhookEventType } from '#webhooks/catalogue'

/**
 * Records an event that must happen at most once for its key (`invoice.paid:<id>`), in the
 * caller's transaction. The key row is inserted first: a concurrent transaction with the same key
 * waits on the unique index and then finds it taken, so exactly one of them records the event.
 * Returns null when the key was already used.
 */
export async function recordWebhookEventOnce(
  key: string,
  type: WebhookEventType,
  data: Record<string, unknown>,
  client: QueryClientContract
): Promise<RecordedEvent | null> {
  const taken = await client.from('webhook_event_keys').where('event_key', key).first()
  if (taken) return null
  try {
    await client
      .table('webhook_event_keys')
      .insert({ event_key: key, event_id: null, created_at: sqlTime() })
  } catch (error) {
    if (isDuplicateKey(error)) return null
    throw error
  }
  const recorded = await recordWebhookEvent(type, data, client)
  await client
    .from('webhook_event_keys')
    .where('event_key', key)
    .update({ event_id: recorded.eventId })
  return recorded
}
