import db from '@adonisjs/lucid/services/db'
import { isoFromSql } from '#lib/db_helpers'
import WebhookEndpoint from '#models/webhook_endpoint'
import {
  TEST_EVENT,
  WEBHOOK_EVENTS,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
} from '#webhooks/catalogue'

export interface WebhookEventOption {
  value: WebhookEventType
  label: string
}

export interface WebhookEndpointRow {
  id: number
  url: string
  description: string | null
  events: WebhookEventType[]
  active: boolean
  delivered: number
  failed: number
  waiting: number
  lastDeliveredAt: string | null
}

export interface WebhookDeliveryRow {
  id: number
  eventId: number
  eventType: string
  eventLabel: string
  status: 'queued' | 'sending' | 'delivered' | 'failed'
  attempts: number
  responseStatus: number | null
  lastError: string | null
  createdAt: string
  deliveredAt: string | null
  nextAttemptAt: string | null
  replayOf: number | null
}

export type WebhooksIndexProps = {
  endpoints: WebhookEndpointRow[]
  eventTypes: WebhookEventOption[]
}

export type WebhookShowProps = {
  endpoint: WebhookEndpointRow
  eventTypes: WebhookEventOption[]
  deliveries: WebhookDeliveryRow[]
  page: { current: number; last: number; total: number }
  /** The signing secret, only right after it was made (create or rotate). */
  secret: string | null
}

const iso = isoFromSql

export const eventTypeOptions = (): WebhookEventOption[] =>
  WEBHOOK_EVENT_TYPES.map((value) => ({ value, label: WEBHOOK_EVENTS[value] }))

const eventLabel = (type: string) =>
  type === TEST_EVENT ? 'Test event' : (WEBHOOK_EVENTS[type as WebhookEventType] ?? type)

async function endpointRows(ids?: number[]): Promise<WebhookEndpointRow[]> {
  const query = WebhookEndpoint.query().orderBy('id')
  if (ids) query.whereIn('id', ids)
  const endpoints = await query
  const counts = await db
    .from('webhook_deliveries')
    .select('endpoint_id', 'status')
    .count('* as n')
    .max('delivered_at as last')
    .groupBy('endpoint_id', 'status')
  return endpoints.map((e) => {
    const of = (status: string) =>
      counts.filter((c: any) => Number(c.endpoint_id) === e.id && c.status === status)
    const sum = (status: string) => of(status).reduce((n: number, c: any) => n + Number(c.n), 0)
    const last = of('delivered')[0]?.last ?? null
    return {
      id: e.id,
      url: e.url,
      description: e.description,
      events: e.events as WebhookEventType[],
      active: e.active,
      delivered: sum('delivered'),
      failed: sum('failed'),
      waiting: sum('queued') + sum('sending'),
      lastDeliveredAt: iso(last),
    }
  })
}

export async function webhooksIndexProps(): Promise<WebhooksIndexProps> {
  return { endpoints: await endpointRows(), eventTypes: eventTypeOptions() }
}

export async function webhookShowProps(
  id: number,
  pageNumber: number,
  secret: string | null
): Promise<WebhookShowProps | null> {
  const [endpoint] = await endpointRows([id])
  if (!endpoint) return null
  const perPage = 25
  const total = Number(
    (await db.from('webhook_deliveries').where('endpoint_id', id).count('* as n').first())?.n ?? 0
  )
  const last = Math.max(1, Math.ceil(total / perPage))
  const current = Math.min(Math.max(1, pageNumber), last)
  const rows = await db
    .from('webhook_deliveries as d')
    .join('webhook_events as e', 'e.id', 'd.event_id')
    .where('d.endpoint_id', id)
    .orderBy('d.id', 'desc')
    .offset((current - 1) * perPage)
    .limit(perPage)
    .select('d.*', 'e.type')
  return {
    endpoint,
    eventTypes: eventTypeOptions(),
    secret,
    page: { current, last, total },
    deliveries: rows.map((r: any) => ({
      id: Number(r.id),
      eventId: Number(r.event_id),
      eventType: r.type,
      eventLabel: eventLabel(r.type),
      status: r.status,
      attempts: Number(r.attempts),
      responseStatus: r.response_status === null ? null : Number(r.response_status),
      lastError: r.last_error,
      createdAt: iso(r.created_at)!,
      deliveredAt: iso(r.delivered_at),
      nextAttemptAt: r.status === 'queued' ? iso(r.next_attempt_at) : null,
      replayOf: r.replay_of === null ? null : Number(r.replay_of),
    })),
  }
}
