import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import Connector from '#models/connector'
import Customer from '#models/customer'
import JobRun from '#models/job_run'
import type { ImportSummary, PollResult, ProgressFn } from '#connectors/types'
import { ImportFailure } from '#connectors/types'
import { connectorType } from '#connectors/registry'
import { transportFor } from '#connectors/transports/index'
import { importFile } from '#connectors/import_file'

/** A poll that has been "running" longer than this is assumed dead (crashed process) and may be retaken. */
const STALE_RUNNING_MS = 60 * 60 * 1000

/**
 * Poll interval of a schedule: "15m", "2h", "1d", "every 15 minutes", "hourly", "daily",
 * or a bare number of minutes. null when the schedule is empty or not understood.
 */
export function scheduleIntervalMs(schedule: string | null | undefined): number | null {
  const s = (schedule ?? '').trim().toLowerCase()
  if (!s) return null
  if (s === 'hourly') return 3_600_000
  if (s === 'daily') return 86_400_000
  const m =
    /^(?:every\s+)?(\d+)?\s*(m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days)?$/.exec(s)
  if (!m || (!m[1] && !m[2])) return null
  const n = Number(m[1] ?? 1)
  if (!n) return null
  const unit = (m[2] ?? 'm')[0]
  return n * (unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000)
}

const sql = (d: DateTime) => d.toUTC().toFormat('yyyy-MM-dd HH:mm:ss')
const affected = (r: any) => Number(Array.isArray(r) ? r[0] : r) || 0

/** Marks the connector as running unless another poll holds it; false when it is busy. */
async function claim(connector: Connector): Promise<boolean> {
  const stale = sql(DateTime.utc().minus({ milliseconds: STALE_RUNNING_MS }))
  const r = await db
    .from('connectors')
    .where('id', connector.id)
    .where((q) =>
      q
        .whereNull('last_status')
        .orWhereNot('last_status', 'running')
        .orWhere('updated_at', '<', stale)
    )
    .update({ last_status: 'running', updated_at: sql(DateTime.utc()) })
  return affected(r) === 1
}

async function pollFiles(connector: Connector, onProgress?: ProgressFn): Promise<PollResult> {
  // A connector without a customer serves all customers: each record is routed.
  const customer = connector.customerId ? await Customer.findOrFail(connector.customerId) : null
  const def = connectorType(connector.type)
  const settings = connector.settings ?? {}
  const ctx = { customer, connector, settings }
  const transport = transportFor(connector)
  const work = await mkdtemp(join(tmpdir(), 'tollgate-poll-'))
  const imports: ImportSummary[] = []
  const problems: string[] = []
  try {
    const files = await transport.list()
    for (const file of files) {
      const local = join(work, `${imports.length}-${file.name.replace(/[^\w.-]/g, '_')}`)
      await transport.download(file, local)
      let summary: ImportSummary
      try {
        // A parser that cannot be set up (e.g. the mapping profile is gone) fails the poll; the file stays.
        const parser = await def.createParser!(ctx)
        summary = await importFile({
          path: local,
          sourceName: file.name,
          customer,
          connector,
          format: def.formatName!(ctx),
          parser,
          onProgress,
        })
      } finally {
        await rm(local, { force: true })
      }
      imports.push(summary)
      if (summary.status === 'failed') {
        problems.push(`${file.name}: ${summary.error}`)
        if (summary.retryable) continue
        await transport.settle(file, 'failed')
      } else {
        await transport.settle(file, 'processed')
      }
    }
  } finally {
    await transport.close()
    await rm(work, { recursive: true, force: true })
  }
  const done = imports.filter((i) => i.status !== 'failed')
  const totals = done.reduce(
    (t, i) => ({ imported: t.imported + i.imported, rejected: t.rejected + i.rejected }),
    { imported: 0, rejected: 0 }
  )
  if (!imports.length) return { status: 'idle', message: 'no new files', imports }
  const status = problems.length === 0 ? 'ok' : done.length ? 'partial' : 'failed'
  const message = [
    `${imports.length} file(s): ${done.filter((i) => i.status === 'completed').length} imported, ${done.filter((i) => i.status === 'skipped').length} seen before, ${imports.length - done.length} failed; ${totals.imported} records, ${totals.rejected} rejected rows`,
    ...problems,
  ].join('; ')
  return { status, message, imports }
}

/**
 * Polls one connector now: downloads and imports its new files (or takes a Microsoft 365
 * snapshot), and records the outcome on the connector (last_status, last_error) and in job_runs.
 * Never throws for a failed poll: the failure is recorded and the next poll retries.
 */
export async function pollConnector(
  connectorId: number,
  options: { onProgress?: ProgressFn; runKey?: string } = {}
): Promise<PollResult & { connector_id: number; job_run_id: number | null }> {
  const connector = await Connector.findOrFail(connectorId)
  if (!(await claim(connector))) {
    return {
      connector_id: connectorId,
      job_run_id: null,
      status: 'idle',
      message: 'a poll of this connector is already running',
      imports: [],
    }
  }
  const started = DateTime.utc()
  const run = await startRun(connectorId, connector.lastStatus, started, options.runKey)
  if (!run) {
    return {
      connector_id: connectorId,
      job_run_id: null,
      status: 'idle',
      message: 'already claimed by another worker',
      imports: [],
    }
  }
  const result = await pollOnce(connector, options.onProgress)
  await recordOutcome(connectorId, started, run, result)
  return { connector_id: connectorId, job_run_id: run.id, ...result }
}

/**
 * The poll's job run, or null when another scheduler has claimed this slot (unique run_key):
 * the connector's status is then given back.
 */
async function startRun(
  connectorId: number,
  lastStatus: Connector['lastStatus'],
  started: DateTime,
  runKey: string | undefined
): Promise<JobRun | null> {
  try {
    return await JobRun.create({
      job: 'connectors:poll',
      runKey: runKey ?? null,
      status: 'running',
      worker: `${hostname()}:${process.pid}`,
      detail: { connectorId },
      startedAt: started,
    })
  } catch (error) {
    await db.from('connectors').where('id', connectorId).update({ last_status: lastStatus })
    return null
  }
}

/** The files (or the snapshot) of one poll; a failure is a failed result, not a throw. */
async function pollOnce(connector: Connector, onProgress?: ProgressFn): Promise<PollResult> {
  try {
    const def = connectorType(connector.type)
    return def.snapshot
      ? await def.snapshot(connector, onProgress)
      : await pollFiles(connector, onProgress)
  } catch (error) {
    const message =
      error instanceof ImportFailure ? error.message : (error as Error).message || String(error)
    if (!(error instanceof ImportFailure))
      logger.warn({ connectorId: connector.id, err: { message } }, 'connector poll failed')
    return { status: 'failed', message, imports: [] }
  }
}

/** Writes the poll's outcome on the connector and closes its job run. */
async function recordOutcome(
  connectorId: number,
  started: DateTime,
  run: JobRun,
  result: PollResult
) {
  const failed = result.status === 'failed'
  await db
    .from('connectors')
    .where('id', connectorId)
    .update({
      last_polled_at: sql(started),
      last_status: result.status,
      last_error: failed || result.status === 'partial' ? result.message.slice(0, 5000) : null,
      updated_at: sql(DateTime.utc()),
    })
  run.merge({
    status: failed ? 'failed' : 'succeeded',
    finishedAt: DateTime.utc(),
    error: failed ? result.message.slice(0, 5000) : null,
    detail: {
      connectorId,
      status: result.status,
      message: result.message.slice(0, 2000),
      imports: result.imports.map((i) => ({
        id: i.import_id,
        status: i.status,
        imported: i.imported,
        rejected: i.rejected,
      })),
      ...(result.detail ? { snapshot: result.detail } : {}),
    },
  })
  await run.save()
}

/** Polls every enabled connector whose schedule says it is due (last poll, failed or not, at least one interval ago). */
export async function pollDueConnectors(now: Date = new Date()) {
  const connectors = await Connector.query()
    .where('enabled', true)
    .whereNotNull('schedule')
    .orderBy('id')
  const results: (PollResult & { connector_id: number })[] = []
  for (const connector of connectors) {
    const interval = scheduleIntervalMs(connector.schedule)
    if (!interval) continue
    const last = connector.lastPolledAt?.toMillis()
    if (last !== undefined && now.getTime() - last < interval - 1000) continue
    const slot = Math.floor(now.getTime() / interval)
    try {
      results.push(
        await pollConnector(connector.id, { runKey: `connectors:poll:${connector.id}:${slot}` })
      )
    } catch (error) {
      logger.error({ err: error, connectorId: connector.id }, 'poll failed')
    }
  }
  return results
}

/** Runs a poll in the background of this process (UI "run now"); the page polls for progress. */
export function pollInBackground(connectorId: number) {
  setImmediate(() => {
    pollConnector(connectorId).catch((error) =>
      logger.error({ err: error, connectorId }, 'background poll failed')
    )
  })
}
