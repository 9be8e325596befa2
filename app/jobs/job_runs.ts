import { hostname } from 'node:os'
import { threadId } from 'node:worker_threads'
import db from '@adonisjs/lucid/services/db'
import { isDuplicateKey, sqlTime } from '#lib/db_helpers'

/**
 * Every job run is a job_runs row. A unit of work that must happen once
 * across all schedulers carries a unique run_key: inserting the row IS the
 * claim (duplicate key → another scheduler has it). A failed run renames its
 * key (":failed:<id>") so the unit can be claimed again on a later tick while
 * the failure stays on record.
 */

export const workerName = () => `${hostname()}:${process.pid}:${threadId}`

export type Claimed<T> = { claimed: true; id: number; result: T } | { claimed: true; id: number; error: Error } | { claimed: false }

export async function runOnce<T extends Record<string, any> | void>(job: string, runKey: string | null, work: () => Promise<T>): Promise<Claimed<T>> {
  let id: number
  try {
    const [inserted] = await db.table('job_runs').insert({ job, run_key: runKey, status: 'running', worker: workerName(), started_at: sqlTime() })
    id = Number(inserted)
  } catch (error) {
    if (isDuplicateKey(error)) return { claimed: false }
    throw error
  }
  try {
    const result = await work()
    await db.from('job_runs').where('id', id).update({ status: 'succeeded', detail: result ? JSON.stringify(result) : null, finished_at: sqlTime() })
    return { claimed: true, id, result }
  } catch (error: any) {
    await db
      .from('job_runs')
      .where('id', id)
      .update({ status: 'failed', error: String(error?.stack ?? error).slice(0, 4000), finished_at: sqlTime(), run_key: runKey ? `${runKey}:failed:${id}`.slice(0, 191) : null })
    return { claimed: true, id, error }
  }
}

/** The key of one scheduler tick: the same for every scheduler within one interval. */
export function tickKey(job: string, intervalMs: number, now: Date = new Date()) {
  return `${job}:tick:${Math.floor(now.getTime() / intervalMs)}`
}
