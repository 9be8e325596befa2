import http from 'node:http'
import https from 'node:https'
import db from '@adonisjs/lucid/services/db'
import encryption from '@adonisjs/core/services/encryption'
import { DateTime } from 'luxon'
import { sqlTime } from '#lib/db_helpers'
import { claimDueRow, retryDelayMinutes, type OutboxClaim } from '#lib/outbox_lease'
import { OutboundBlockedError, assertOutboundAllowed, guardedAgent } from '#lib/net_guard'
import { WEBHOOK_BACKOFF_MINUTES } from '#webhooks/catalogue'
import { signatureHeader } from '#webhooks/signing'

/** How long a claimed delivery may stay `sending` before another scheduler takes it over. */
const LEASE_SECONDS = 120
const TIMEOUT_MS = 10_000

export interface WebhookOutcome {
  deliveryId: number
  status: 'delivered' | 'queued' | 'failed'
  responseStatus: number | null
  error: string | null
}

const at = (time: DateTime) => sqlTime(time.toJSDate())

/**
 * Takes one due delivery: queued and due, or `sending` with an expired lease (its scheduler died
 * mid-send). Several schedulers may call this at once; each row goes to one of them.
 */
function claimNext(now: DateTime, onlyIds?: number[]) {
  return claimDueRow(
    'webhook_deliveries',
    (q) => {
      q.where((w) => {
        w.where((d) => d.where('status', 'queued').where('next_attempt_at', '<=', at(now)))
        w.orWhere((d) => d.where('status', 'sending').where('lease_until', '<', at(now)))
      })
      if (onlyIds) q.whereIn('id', onlyIds)
    },
    { lease_until: at(now.plus({ seconds: LEASE_SECONDS })), updated_at: at(now) }
  )
}

/** POSTs the body and answers the status code; a redirect is an answer too (it is not followed). */
function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const target = new URL(url)
  const request = target.protocol === 'https:' ? https.request : http.request
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        agent: guardedAgent(target),
        timeout: TIMEOUT_MS,
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        // The receiver's body is never read into Tollgate: only its status counts.
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
        res.on('error', reject)
      }
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)))
    req.on('error', reject)
    req.end(body)
  })
}

function describeError(error: unknown) {
  if (error instanceof OutboundBlockedError) return error.message
  const code = (error as NodeJS.ErrnoException)?.code
  if (code === 'ECONNREFUSED')
    return 'The receiver refused the connection (nothing listens at that address)'
  if (code === 'ENOTFOUND') return 'The receiver’s host name does not resolve'
  if (code === 'ECONNRESET') return 'The receiver closed the connection'
  return (error as Error)?.message?.slice(0, 300) ?? 'sending failed'
}

async function attempt(deliveryId: number, now: DateTime) {
  const row = await db
    .from('webhook_deliveries as d')
    .join('webhook_events as e', 'e.id', 'd.event_id')
    .join('webhook_endpoints as p', 'p.id', 'd.endpoint_id')
    .where('d.id', deliveryId)
    .select(
      'd.id',
      'e.id as event_id',
      'e.type',
      'e.payload',
      'e.created_at',
      'p.url',
      'p.secret_encrypted'
    )
    .firstOrFail()
  const body = JSON.stringify({
    id: `evt_${row.event_id}`,
    type: row.type,
    created_at:
      DateTime.fromSQL(String(row.created_at), { zone: 'utc' }).toISO() ?? String(row.created_at),
    data: JSON.parse(row.payload),
  })
  const secret = encryption.decrypt<string>(row.secret_encrypted)
  if (!secret) throw new Error('The endpoint’s secret cannot be read (was APP_KEY changed?)')
  await assertOutboundAllowed(row.url)
  return post(row.url, body, {
    'Content-Type': 'application/json',
    'User-Agent': 'Tollgate-Webhooks/1',
    'Tollgate-Event': row.type,
    'Tollgate-Delivery': String(deliveryId),
    'Tollgate-Signature': signatureHeader(secret, Math.floor(now.toSeconds()), body),
  })
}

async function settle(
  claim: OutboxClaim,
  now: DateTime,
  result: { status?: number; error?: unknown }
): Promise<WebhookOutcome> {
  const ok = result.status !== undefined && result.status >= 200 && result.status < 300
  const blocked = result.error instanceof OutboundBlockedError
  const error = ok
    ? null
    : result.error
      ? describeError(result.error)
      : `The receiver answered HTTP ${result.status}`
  const retryIn = retryDelayMinutes(WEBHOOK_BACKOFF_MINUTES, claim.attempt)
  const status = ok ? 'delivered' : blocked || retryIn === null ? 'failed' : 'queued'
  await db
    .from('webhook_deliveries')
    .where('id', claim.id)
    .update({
      status,
      response_status: result.status ?? null,
      last_error: error,
      lease_until: null,
      next_attempt_at: status === 'queued' ? at(now.plus({ minutes: retryIn! })) : null,
      delivered_at: ok ? at(now) : null,
      updated_at: at(now),
    })
  return { deliveryId: claim.id, status, responseStatus: result.status ?? null, error }
}

/**
 * Sends every due webhook delivery (first attempts, retries, and deliveries whose sender died):
 * the scheduler's send_webhooks job. A receiver may see a delivery twice only when a scheduler
 * died after the receiver answered; `Tollgate-Delivery` lets it tell.
 */
export async function deliverDueWebhooks(
  options: { now?: DateTime; limit?: number; onlyIds?: number[] } = {}
) {
  const now = options.now ?? DateTime.utc()
  const outcomes: WebhookOutcome[] = []
  while (outcomes.length < (options.limit ?? 500)) {
    const claim = await claimNext(now, options.onlyIds)
    if (!claim) break
    try {
      outcomes.push(await settle(claim, now, { status: await attempt(claim.id, now) }))
    } catch (error) {
      outcomes.push(await settle(claim, now, { error }))
    }
  }
  return {
    delivered: outcomes.filter((o) => o.status === 'delivered').length,
    retrying: outcomes.filter((o) => o.status === 'queued').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
    outcomes,
  }
}
