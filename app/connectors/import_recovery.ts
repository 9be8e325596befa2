import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import { runOnce } from '#lib/job_claims'
import { faultPoint } from '#lib/fault_points'
import { sqlTime } from '#lib/db_helpers'

/**
 * What happens to an import after its rows commit, made crash-proof. imports.stage is
 * "imported" until mapping, rating and rollups have run ("processed"). Processing runs under a
 * job claim (`import:<id>:process`, with a lease), so the importing process and a scheduler
 * never both do it, and a process killed half-way is taken over once its lease runs out.
 * recoverImports() — every poll_connectors tick — resumes unprocessed imports, marks imports
 * whose process died as failed (their transaction rolled back: nothing was kept) and removes
 * upload files left behind by killed web processes.
 */

/** Processing attempts that failed before an import is left for an operator (shown on its page). */
const MAX_ATTEMPTS = 3

export function staleImportMs() {
  const ms = Number(process.env.IMPORT_STALE_MS ?? 120_000)
  return Number.isFinite(ms) && ms >= 1000 ? ms : 120_000
}

/**
 * Maps, rates and rolls up one committed import's records, once: per customer, the periods it
 * touched (a reseller-wide file routes records to several customers). Without `groups` they are
 * read back from the records the import stored. `streamed` customers' records were mapped, rated
 * and rolled up on their way in; a recovery (no `streamed`) runs the whole pass, which finds
 * them right and changes nothing but the rollups it recomputes.
 */
export async function processImport(
  importId: number,
  groups?: Map<number, string[]>,
  streamed: Set<number> = new Set()
) {
  const outcome = await runOnce('process_import', `import:${importId}:process`, async () => {
    const byCustomer = groups ?? (await storedGroups(importId))
    faultPoint('import.before_processing')
    const { afterUsageChange, notifyUsageChanged } = await import('#consolidation/usage_pipeline')
    for (const [customerId, periods] of byCustomer) {
      // Mapped, rated and rolled up in the file's transaction: only the listeners are left.
      if (streamed.has(customerId)) await notifyUsageChanged(customerId, periods)
      else await afterUsageChange(customerId, periods)
    }
    await db
      .from('imports')
      .where('id', importId)
      .update({ stage: 'processed', updated_at: sqlTime() })
    return { import_id: importId, customers: [...byCustomer.keys()] }
  })
  if (outcome.claimed && 'error' in outcome)
    logger.error(
      { err: outcome.error, importId },
      'mapping/rating after import failed (retried by the scheduler)'
    )
  return outcome
}

async function storedGroups(importId: number) {
  const rows = await db
    .from('usage_records')
    .where('import_id', importId)
    .distinct('customer_id', 'period')
  const groups = new Map<number, string[]>()
  for (const r of rows)
    groups.set(Number(r.customer_id), [
      ...(groups.get(Number(r.customer_id)) ?? []),
      String(r.period),
    ])
  return groups
}

/** Imports whose records committed but were never processed (and are not being processed now). */
async function resumeUnprocessed() {
  const rows = await db
    .from('imports')
    .where('status', 'completed')
    .where('stage', 'imported')
    .orderBy('id')
    .select('id')
  const resumed: number[] = []
  for (const row of rows) {
    const failures = await db
      .from('job_runs')
      .where('run_key', 'like', `import:${row.id}:process:failed:%`)
      .count('* as n')
    if (Number(failures[0].n) >= MAX_ATTEMPTS) continue
    const outcome = await processImport(Number(row.id))
    if (outcome.claimed && 'result' in outcome) resumed.push(Number(row.id))
  }
  return resumed
}

/** Imports left pending/running by a process that died: their heartbeat stopped. */
async function failStalled(now: Date) {
  const cutoff = sqlTime(new Date(now.getTime() - staleImportMs()))
  const rows = await db
    .from('imports')
    .whereIn('status', ['pending', 'running'])
    .where((q) =>
      q
        .where('heartbeat_at', '<', cutoff)
        .orWhere((n) => n.whereNull('heartbeat_at').where('updated_at', '<', cutoff))
    )
    .select('id', 'progress_pct', 'heartbeat_at', 'updated_at')
  const failed: number[] = []
  for (const row of rows) {
    const seen = row.heartbeat_at ?? row.updated_at
    const last = seen instanceof Date ? sqlTime(seen) : String(seen)
    const changed = await db
      .from('imports')
      .where('id', row.id)
      .whereIn('status', ['pending', 'running'])
      .update({
        status: 'failed',
        error_message: `the import stopped at ${row.progress_pct}% without finishing (its process was killed or crashed; last sign of life ${last} UTC): nothing of it was kept, import the file again`,
        finished_at: sqlTime(now),
        updated_at: sqlTime(now),
        rows_imported: 0,
        rows_duplicate: 0,
        rows_rejected: 0,
      })
    if (Number(Array.isArray(changed) ? changed[0] : changed) === 1) failed.push(Number(row.id))
  }
  if (failed.length)
    logger.warn({ imports: failed }, 'imports stopped without finishing: marked failed')
  return failed
}

/**
 * Upload files whose import is over (or never started): named "<import id>-…" once the import
 * owns them; an unnamed file older than an hour was left by a request that died before that.
 */
async function removeOrphanUploads(dir: string, now: Date) {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return 0
  }
  let removed = 0
  for (const name of names) {
    const owner = /^(\d+)-/.exec(name)
    let orphan: boolean
    if (owner) {
      const row = await db
        .from('imports')
        .where('id', Number(owner[1]))
        .whereIn('status', ['pending', 'running'])
        .first()
      orphan = !row
    } else {
      const info = await stat(join(dir, name)).catch(() => null)
      orphan = Boolean(info && now.getTime() - info.mtimeMs > 3_600_000)
    }
    if (orphan) {
      await rm(join(dir, name), { force: true })
      removed++
    }
  }
  return removed
}

export async function recoverImports(now = new Date()) {
  const { manualUploadDir } = await import('#connectors/manual_import')
  const failed = await failStalled(now)
  const uploadsRemoved = await removeOrphanUploads(manualUploadDir(), now)
  const resumed = await resumeUnprocessed()
  return { failed, resumed, uploadsRemoved }
}
