import db from '@adonisjs/lucid/services/db'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import { isMysql, sqlTime } from '#lib/db_helpers'

/**
 * What the outboxes (document deliveries, dunning reminders, webhook deliveries) share: taking one
 * due row for this process, and when a failed attempt is tried again. Each outbox keeps its own
 * notion of "due" and of which failures are permanent.
 */

/**
 * Minutes before the next attempt once `attemptsMade` attempts have failed, or null when the
 * schedule is used up (give up). `schedule[0]` follows the first failure.
 */
export function retryDelayMinutes(schedule: readonly number[], attemptsMade: number) {
  return attemptsMade >= 1 ? (schedule[attemptsMade - 1] ?? null) : null
}

/** How many attempts a schedule allows: the first, and one after each delay. */
export const maxAttempts = (schedule: readonly number[]) => schedule.length + 1

export interface OutboxClaim {
  id: number
  /** The attempt this claim is: 1 for the first send. */
  attempt: number
}

/**
 * Claims the first due row of `table` for this process: status → `sending`, attempts + 1, plus
 * `set` (a lease, say). The row is read FOR UPDATE SKIP LOCKED on MySQL and changed only while it is
 * still as read (compare-and-set on status and attempts), so two senders never take the same row;
 * one that lost the race looks again. Null when nothing is due.
 */
export async function claimDueRow(
  table: string,
  due: (query: DatabaseQueryBuilderContract<any>) => unknown,
  set: Record<string, unknown> = {}
): Promise<OutboxClaim | null> {
  for (let tries = 0; tries < 5; tries++) {
    const claimed = await db.transaction(async (trx) => {
      const q = trx.from(table)
      due(q)
      q.orderBy('id').select('id', 'status', 'attempts').limit(1)
      if (isMysql(trx)) q.forUpdate().skipLocked()
      const row = await q.first()
      if (!row) return { done: true as const, claim: null }
      const attempt = Number(row.attempts) + 1
      const updated = await trx
        .from(table)
        .where('id', row.id)
        .where('status', row.status)
        .where('attempts', row.attempts)
        .update({ status: 'sending', attempts: attempt, updated_at: sqlTime(), ...set })
      const count = Number(Array.isArray(updated) ? updated[0] : updated)
      return { done: false as const, claim: count === 1 ? { id: Number(row.id), attempt } : null }
    })
    if (claimed.done) return null
    if (claimed.claim) return claimed.claim
  }
  return null
}
