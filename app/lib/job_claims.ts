import { hostname } from 'node:os'
import { threadId } from 'node:worker_threads'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import { isDuplicateKey, sqlTime } from '#lib/db_helpers'

/**
 * Every job run is a job_runs row. A unit of work that must happen once
 * across all schedulers carries a unique run_key: inserting the row IS the
 * claim (duplicate key → another scheduler has it). A failed run renames its
 * key (":failed:<id>") so the unit can be claimed again on a later tick while
 * the failure stays on record.
 *
 * A claim holds a lease (lease_until) that its worker renews every third of
 * JOB_LEASE_MS. A scheduler killed with -9 stops renewing: once the lease has
 * run out, the next scheduler to try the key (or any tick's sweep) marks the
 * row "abandoned", renames its key (":abandoned:<id>") and claims the unit
 * itself, so the work is picked up within one tick. Work done under a claim
 * must therefore be resumable (see monthEndJob).
 */

export const workerName = () => `${hostname()}:${process.pid}:${threadId}`

export function leaseMs() {
  const ms = Number(process.env.JOB_LEASE_MS ?? 120_000)
  return Number.isFinite(ms) && ms >= 1000 ? ms : 120_000
}

const leaseEnd = (from = Date.now()) => sqlTime(new Date(from + leaseMs()))

export type Claimed<T> =
  | { claimed: true; id: number; result: T }
  | { claimed: true; id: number; error: Error }
  | { claimed: false }

export async function runOnce<T extends Record<string, any> | void>(
  job: string,
  runKey: string | null,
  work: () => Promise<T>
): Promise<Claimed<T>> {
  const id = await claim(job, runKey)
  if (id === null) return { claimed: false }
  const heartbeat = startHeartbeat(id)
  try {
    const result = await work()
    clearInterval(heartbeat)
    await db
      .from('job_runs')
      .where('id', id)
      .update({
        status: 'succeeded',
        detail: result ? JSON.stringify(result) : null,
        finished_at: sqlTime(),
        lease_until: null,
      })
    return { claimed: true, id, result }
  } catch (error: any) {
    clearInterval(heartbeat)
    await db
      .from('job_runs')
      .where('id', id)
      .update({
        status: 'failed',
        error: String(error?.stack ?? error).slice(0, 4000),
        finished_at: sqlTime(),
        lease_until: null,
        run_key: runKey ? `${runKey}:failed:${id}`.slice(0, 191) : null,
      })
    return { claimed: true, id, error }
  }
}

/** Inserts the claim; on a duplicate key, takes the unit over when the holder's lease has run out. */
async function claim(job: string, runKey: string | null): Promise<number | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const now = sqlTime()
      const [inserted] = await db.table('job_runs').insert({
        job,
        run_key: runKey,
        status: 'running',
        worker: workerName(),
        started_at: now,
        heartbeat_at: now,
        lease_until: leaseEnd(),
      })
      return Number(inserted)
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
    }
    if (!runKey || !(await abandonExpired(runKey))) return null
  }
  return null
}

/** Running claims whose lease ran out (before leases existed: started longer than a lease ago). */
function expiredClaims(now: Date = new Date()) {
  const cutoff = sqlTime(now)
  const oldStart = sqlTime(new Date(now.getTime() - leaseMs()))
  return db
    .from('job_runs')
    .where('status', 'running')
    .where((q) =>
      q
        .where('lease_until', '<', cutoff)
        .orWhere((n) => n.whereNull('lease_until').where('started_at', '<', oldStart))
    )
}

/**
 * Marks expired claims abandoned and frees their keys (all of them, or the one key given).
 * Returns how many this call abandoned; concurrent callers each abandon a row at most once.
 */
export async function abandonExpired(runKey?: string): Promise<number> {
  const rows = await expiredClaims()
    .if(runKey, (q) => q.where('run_key', runKey!))
    .select('id', 'run_key', 'worker', 'lease_until')
  let abandoned = 0
  for (const row of rows) {
    const lease =
      row.lease_until instanceof Date
        ? sqlTime(row.lease_until)
        : String(row.lease_until ?? 'never renewed')
    const changed = await expiredClaims()
      .where('id', row.id)
      .update({
        status: 'abandoned',
        run_key: row.run_key ? `${row.run_key}:abandoned:${row.id}`.slice(0, 191) : null,
        finished_at: sqlTime(),
        error: `lease expired (${lease} UTC): worker ${row.worker} stopped renewing it (killed or hung); taken over by ${workerName()}`,
        lease_until: null,
      })
    if (Number(Array.isArray(changed) ? changed[0] : changed) === 1) {
      abandoned++
      logger.warn(
        { jobRun: row.id, runKey: row.run_key, worker: row.worker },
        'job claim abandoned: its lease expired'
      )
    }
  }
  // For one key, any expired row (abandoned here or by a concurrent caller) means the key is free to try.
  return runKey ? rows.length : abandoned
}

function startHeartbeat(id: number) {
  const timer = setInterval(
    () => {
      const now = Date.now()
      db.from('job_runs')
        .where('id', id)
        .where('status', 'running')
        .update({ heartbeat_at: sqlTime(new Date(now)), lease_until: leaseEnd(now) })
        .catch((error) => logger.warn({ err: error, jobRun: id }, 'job heartbeat failed'))
    },
    Math.max(250, Math.floor(leaseMs() / 3))
  )
  timer.unref()
  return timer
}

/** True when a unit's claim was abandoned and has not since succeeded: its work must be resumed. */
export async function needsResume(runKey: string) {
  const done = await db.from('job_runs').where('run_key', runKey).first()
  if (done) return done.status === 'running'
  return Boolean(
    await db.from('job_runs').where('run_key', 'like', `${runKey}:abandoned:%`).first()
  )
}

/** The key of one scheduler tick: the same for every scheduler within one interval. */
export function tickKey(job: string, intervalMs: number, now: Date = new Date()) {
  return `${job}:tick:${Math.floor(now.getTime() / intervalMs)}`
}
