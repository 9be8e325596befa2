import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { appendFile, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { tmpdir } from 'node:os'
import { createInterface } from 'node:readline'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import drive from '@adonisjs/drive/services/main'
import logger from '@adonisjs/core/services/logger'
import type Connector from '#models/connector'
import type Customer from '#models/customer'
import type {
  ImportSummary,
  ParsedCharge,
  ParsedRecord,
  ProgressFn,
  RowOutcome,
  RowParser,
} from '#connectors/types'
import { ImportFailure } from '#connectors/types'
import { CsvSyntaxError, readCsvRows } from '#connectors/csv_reader'
import { openUsageSink } from '#connectors/usage_sink'
import { openUnknownSink } from '#connectors/unknown_sink'
import { Router } from '#connectors/record_router'
import { recordWebhookEvent } from '#webhooks/events'
import { importPayload } from '#webhooks/payloads'
import { insertSupplierCharges } from '#connectors/supplier_charges'
import { INTERNAL_CATEGORY } from '#lib/destinations'
import { maxFieldChars, oversizedField, recordProblem } from '#connectors/record_limits'
import { processImport } from '#connectors/import_recovery'
import { UsageEnricher } from '#connectors/usage_enricher'
import { refreshRollups } from '#consolidation/rollups'
import { faultPoint } from '#lib/fault_points'

export { insertUsageRows } from '#connectors/usage_insert'

const ERROR_BATCH = 400
/** Records between progress reports (which are themselves at most every 500 ms). */
const PROGRESS_EVERY = 2000
/** Errors returned in the summary (all of them are stored). */
const SUMMARY_ERRORS = 1000

export interface ImportFileOptions {
  /** A local file. */
  path: string
  /** Name shown in the UI (the remote file name). */
  sourceName?: string
  /** The customer of a customer-scoped import; null for a reseller-wide one (each record is routed). */
  customer: Customer | null
  connector?: Connector | null
  /** 'asterisk', 'profile:NAME', ... */
  format: string
  parser: RowParser
  onProgress?: ProgressFn
  /** An import row created beforehand, to fill in. */
  importId?: number
  /** Map, rate and roll up the new records afterwards (default true). */
  process?: boolean
  /** Read the file even when a route imported it before (its calls already stored stay duplicates). */
  force?: boolean
}

/** The route records came by (kept for the record; identity is the per-reseller dedupe key). */
export function usageSource(opts: {
  connector?: Connector | null
  format: string
  customer: Customer | null
}) {
  if (opts.connector) return `connector:${opts.connector.id}`
  return `manual:${opts.format}:${opts.customer ? opts.customer.id : 'all'}`.slice(0, 64)
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer)
  return hash.digest('hex')
}

function csvLine(fields: string[]) {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')
}

/**
 * Imports one file: keeps the raw file on the drive with its SHA-256, skips a
 * file any route imported before, streams the rows through the parser,
 * and writes the good rows, the rejected rows and the final counts in one
 * transaction. Rows failing validation become import_errors; a file that is
 * structurally broken (unreadable CSV, every row the wrong shape, empty) fails
 * whole with nothing written but the failed import itself.
 */
export async function importFile(opts: ImportFileOptions): Promise<ImportSummary> {
  const { customer, connector, format, parser } = opts
  const source = usageSource(opts)
  const sourceName = (opts.sourceName ?? basename(opts.path)).slice(0, 255)
  const size = (await stat(opts.path)).size
  const sha256 = await sha256File(opts.path)

  // Import rows are written with the query builder: the model's `sha256` property maps to a
  // "sha_256" column under the snake-case naming strategy, and the table's column is "sha256".
  const now = () => DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
  const fields = {
    connector_id: connector?.id ?? null,
    customer_id: customer?.id ?? null,
    source_name: sourceName,
    format: format.slice(0, 64),
    sha256,
    rows_read: 0,
    rows_imported: 0,
    rows_duplicate: 0,
    rows_rejected: 0,
    progress_pct: 0,
    error_message: null,
    started_at: now(),
    updated_at: now(),
  }
  let importId = opts.importId
  if (importId) await db.from('imports').where('id', importId).update(fields)
  else importId = await createImportRow({ ...fields, status: 'pending' })
  const row = { id: importId }

  // Whatever route brought it first (upload, another connector, another customer's import).
  const seen = await db
    .from('imports')
    .where('sha256', sha256)
    .where('status', 'completed')
    .whereNot('id', row.id)
    .orderBy('id')
    .first()
  if (seen && !opts.force) {
    // The same file imported before but killed before its records were processed: finish that now.
    if (seen.stage === 'imported') await processImport(Number(seen.id))
    await db
      .from('imports')
      .where('id', row.id)
      .update({
        status: 'skipped',
        progress_pct: 100,
        finished_at: now(),
        updated_at: now(),
        error_message: `same file as import #${seen.id}`,
        raw_path: seen.raw_path,
        same_as_import_id: seen.id,
      })
    return {
      import_id: row.id,
      status: 'skipped',
      read: 0,
      imported: 0,
      duplicates: 0,
      rejected: 0,
      errors: [],
      same_as_import_id: Number(seen.id),
    }
  }
  const router = customer ? null : await Router.load(db.connection(), connector?.id ?? null)
  // Records are mapped and rated on their way in (unless the caller processes them itself).
  const enricher =
    opts.process === false
      ? null
      : await UsageEnricher.load(db.connection(), customer?.id ?? null, connector?.settings ?? null)
  const accountField = parser.accountField ?? 'account'

  const rawPath = `imports/${sha256}`
  await db
    .from('imports')
    .where('id', row.id)
    .update({ status: 'running', raw_path: rawPath, heartbeat_at: now() })
  // A sign of life while the file's transaction runs: an import whose heartbeat stops was killed (recoverImports).
  const heartbeat = setInterval(() => {
    const client = db.connection().dialect.name.includes('sqlite') ? null : db
    client
      ?.from('imports')
      .where('id', row.id)
      .where('status', 'running')
      .update({ heartbeat_at: now() })
      .catch(() => {})
  }, 10_000)
  heartbeat.unref()
  // The raw copy is written while the rows are parsed, and the import only commits once it is kept.
  const disk = drive.use()
  const rawCopy = disk
    .exists(rawPath)
    .then((kept) => (kept ? undefined : disk.putStream(rawPath, createReadStream(opts.path))))
  rawCopy.catch(() => {})

  const counts = { read: 0, imported: 0, duplicates: 0, rejected: 0, internal: 0, charges: 0 }
  const charges: ParsedCharge[] = []
  const summaryErrors: ImportSummary['errors'] = []
  const periods = new Set<string>()
  // Records per customer and month as read: the routed counts when the database kept them all.
  const routedRead = new Map<string, RoutedGroup>()
  let storedAll = false
  const sqlite = db.connection().dialect.name.includes('sqlite')
  const spillPath = join(tmpdir(), `tollgate-import-${row.id}-${process.pid}.errors.ndjson`)

  try {
    if (size === 0) throw new ImportFailure('the file is empty')
    await db.transaction(async (trx) => {
      const sink = await openUsageSink(trx, {
        customerId: customer?.id ?? 0,
        source,
        importId: row.id,
      })
      const queue = openUnknownSink(trx, {
        source,
        importId: row.id,
        connectorId: connector?.id ?? null,
      })
      let errors: Record<string, unknown>[] = []
      let valid = 0
      let records = 0
      let stored = 0
      let structural = 0
      let firstStructural = ''
      let lastPct = -1
      let lastProgressAt = 0
      let sinceProgress = 0

      // Rejected rows wait in memory, then in a spill file, and go in at the end: an import_errors
      // row locks its import (foreign key) until commit, which would block the progress updates.
      let spilled = 0
      const spillErrors = async () => {
        if (errors.length < ERROR_BATCH) return
        await appendFile(spillPath, errors.map((e) => JSON.stringify(e)).join('\n') + '\n')
        spilled += errors.length
        errors = []
      }
      const insertErrors = async () => {
        if (spilled) {
          let chunk: Record<string, unknown>[] = []
          const lines = createInterface({ input: createReadStream(spillPath), crlfDelay: Infinity })
          for await (const text of lines) {
            if (!text) continue
            chunk.push(JSON.parse(text))
            if (chunk.length >= ERROR_BATCH) {
              await trx.knexQuery().table('import_errors').insert(chunk)
              chunk = []
            }
          }
          if (chunk.length) await trx.knexQuery().table('import_errors').insert(chunk)
        }
        for (let i = 0; i < errors.length; i += ERROR_BATCH) {
          await trx
            .knexQuery()
            .table('import_errors')
            .insert(errors.slice(i, i + ERROR_BATCH))
        }
        errors = []
      }
      const reportProgress = async (bytes: number, force = false) => {
        const pct = Math.min(99, Math.floor((bytes / size) * 100))
        opts.onProgress?.(bytes, size)
        const at = Date.now()
        if (!force && (pct === lastPct || at - lastProgressAt < 500)) return
        lastPct = pct
        lastProgressAt = at
        // On MySQL another connection updates the row so the UI sees it while the file's transaction runs.
        const client = sqlite ? trx : db
        await client
          .from('imports')
          .where('id', row.id)
          .update({
            progress_pct: pct,
            rows_read: counts.read,
            heartbeat_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'),
          })
        faultPoint('import.during_rows')
      }

      let headerPending = parser.hasHeader
      const maxField = maxFieldChars()
      let chars = 0
      try {
        for await (const rows of readCsvRows(opts.path, {
          delimiter: parser.csv.delimiter ?? ',',
          fromLine: parser.csv.fromLine ?? 1,
          onBytes: (n) => (chars = n),
        })) {
          for (const { fields: cells, line } of rows) {
            if (headerPending) {
              headerPending = false
              parser.header?.(cells)
              continue
            }
            counts.read++
            let outcome = checkedParse(parser, cells, line, maxField)
            let customerId: number | undefined
            if (router && outcome.kind === 'record') {
              const route = router.route(outcome.record)
              if (route.kind === 'error')
                outcome = { kind: 'error', field: accountField, message: route.message }
              else if (route.kind === 'customer') {
                customerId = route.customerId
                outcome.record.period = route.period
              }
            }
            if (outcome.kind === 'record') {
              valid++
              records++
              const r: ParsedRecord = outcome.record
              if (!periods.has(r.period)) periods.add(r.period)
              if (r.category === INTERNAL_CATEGORY) counts.internal++
              let wait: void | Promise<void>
              if (router && customerId === undefined) wait = queue.add(r)
              else {
                stored++
                const owner = customerId ?? customer!.id
                if (router) countRouted(routedRead, owner, r.period)
                wait = sink.add(r, line, owner, enricher?.outcome(owner, r))
              }
              if (wait) await wait
              if (++sinceProgress === PROGRESS_EVERY) {
                sinceProgress = 0
                await reportProgress(chars)
              }
            } else if (outcome.kind === 'charge') {
              valid++
              charges.push(outcome.charge)
            } else if (outcome.kind === 'error') {
              counts.rejected++
              if (outcome.structural) {
                structural++
                if (!firstStructural) firstStructural = `line ${line}: ${outcome.message}`
              }
              const message = outcome.message.slice(0, 500)
              if (summaryErrors.length < SUMMARY_ERRORS)
                summaryErrors.push({ line, field: outcome.field, message })
              errors.push({
                import_id: row.id,
                line,
                field: outcome.field,
                message,
                raw: csvLine(cells).slice(0, 10_000),
              })
              if (errors.length >= ERROR_BATCH * 10) await spillErrors()
            } else {
              valid++
            }
          }
        }
        if (headerPending || counts.read === 0) throw new ImportFailure('the file has no data rows')
        if (valid === 0 && structural === counts.read) {
          throw new ImportFailure(
            `every row has the wrong shape for ${format} (${firstStructural})`
          )
        }
        counts.imported = await sink.finish()
        storedAll = counts.imported === stored
        counts.imported += await queue.finish()
        if (enricher) await writeStreamedRollups(enricher, storedAll, trx)
        counts.duplicates = records - counts.imported
      } catch (error) {
        await sink.abort()
        await queue.abort()
        if (error instanceof CsvSyntaxError) throw new ImportFailure(error.message)
        throw error
      }
      await reportProgress(size, true)
      // After the last progress update: these rows lock the import (foreign key) until commit.
      if (charges.length) {
        counts.charges = await insertSupplierCharges(trx, charges, {
          importId: row.id,
          connectorId: connector?.id ?? null,
          customerId: customer?.id ?? null,
          source,
        })
      }
      await insertErrors()
      await rawCopy
      await trx.from('imports').where('id', row.id).update({
        status: 'completed',
        // Records stored; mapping, rating and rollups still to do (processImport, resumed if killed).
        stage: 'imported',
        rows_read: counts.read,
        rows_imported: counts.imported,
        rows_duplicate: counts.duplicates,
        rows_rejected: counts.rejected,
        rows_internal: counts.internal,
        rows_charges: counts.charges,
        progress_pct: 100,
        finished_at: now(),
        updated_at: now(),
      })
      const completed = { import_id: row.id, status: 'completed', ...counts }
      await recordWebhookEvent(
        'import.completed',
        importPayload(completed, {
          fileName: sourceName,
          connectorId: connector?.id ?? null,
          customerId: customer?.id ?? null,
        }),
        trx
      )
    })
  } catch (error) {
    clearInterval(heartbeat)
    // A failed file is kept too, for the download on its import page.
    await rawCopy.catch(() => {})
    await rm(spillPath, { force: true })
    const failure = error instanceof ImportFailure ? error : null
    // Database errors carry the statement (and so the data): keep only the server's message.
    const e = error as any
    const reason = e?.sqlMessage
      ? `${e.code}: ${e.sqlMessage}`
      : String(e?.message ?? e)
          .split('\n')[0]
          .split(' - ')
          .pop()!
          .slice(0, 500)
    const message = failure ? failure.message : `import failed: ${reason}`
    if (!failure) logger.error({ importId: row.id, reason }, 'import failed')
    await db.transaction(async (trx) => {
      await trx
        .from('imports')
        .where('id', row.id)
        .update({
          status: 'failed',
          error_message: message.slice(0, 2000),
          finished_at: now(),
          updated_at: now(),
          rows_read: counts.read,
          rows_imported: 0,
          rows_duplicate: 0,
          rows_rejected: 0,
        })
      const failed = {
        import_id: row.id,
        status: 'failed',
        read: counts.read,
        imported: 0,
        duplicates: 0,
        rejected: 0,
        error: message,
      }
      await recordWebhookEvent(
        'import.failed',
        importPayload(failed, {
          fileName: sourceName,
          connectorId: connector?.id ?? null,
          customerId: customer?.id ?? null,
        }),
        trx
      )
    })
    return {
      import_id: row.id,
      status: 'failed',
      read: counts.read,
      imported: 0,
      duplicates: 0,
      rejected: 0,
      errors: [],
      error: message,
      retryable: !failure || failure.kind === 'error',
    }
  }

  clearInterval(heartbeat)
  await rm(spillPath, { force: true })
  faultPoint('import.after_commit')
  const summary: ImportSummary = {
    import_id: row.id,
    status: 'completed',
    read: counts.read,
    imported: counts.imported,
    duplicates: counts.duplicates,
    rejected: counts.rejected,
    internal: counts.internal,
    charges: counts.charges,
    errors: summaryErrors,
  }
  if (customer) {
    if (opts.process !== false && counts.imported > 0)
      await processImport(
        row.id,
        new Map([[customer.id, [...periods]]]),
        streamedCustomers(enricher)
      )
    else if (counts.imported === 0)
      await db.from('imports').where('id', row.id).update({ stage: 'processed' })
    return summary
  }
  // Every record read went in: the counts kept while reading are the stored ones (a GROUP BY
  // over a 1M-record import took seconds); otherwise some were duplicates, so the records tell.
  const routed = storedAll ? [...routedRead.values()] : await routedRecords(row.id)
  summary.routed = {}
  for (const r of routed)
    summary.routed[router!.accountNumber(r.customerId)] =
      (summary.routed[router!.accountNumber(r.customerId)] ?? 0) + r.records
  summary.unknown = await queuedRecords(row.id)
  if (opts.process !== false) {
    const byCustomer = new Map<number, string[]>()
    for (const r of routed)
      byCustomer.set(r.customerId, [...(byCustomer.get(r.customerId) ?? []), r.period])
    await processImport(row.id, byCustomer, streamedCustomers(enricher))
  }
  return summary
}

/** Customers whose records went in mapped, rated and rolled up (only the usage listeners are left after commit). */
function streamedCustomers(enricher: UsageEnricher | null): Set<number> {
  if (!enricher) return new Set()
  return new Set([...enricher.rollups.touched.keys()].filter((id) => !enricher.deferred.has(id)))
}

/**
 * The rollups of the records mapped and rated on their way in, in the file's transaction: the
 * sums kept while reading when every record went in; when the database left some out as
 * duplicates of calls stored before, those sums overcount, so the months are recomputed
 * from the records instead.
 */
async function writeStreamedRollups(
  enricher: UsageEnricher,
  storedAll: boolean,
  trx: TransactionClientContract
) {
  if (storedAll) return enricher.rollups.apply(trx)
  for (const [customerId, periods] of enricher.rollups.touched) {
    if (!enricher.deferred.has(customerId)) await refreshRollups(customerId, periods, trx)
  }
}

interface RoutedGroup {
  customerId: number
  period: string
  records: number
}

function countRouted(groups: Map<string, RoutedGroup>, customerId: number, period: string) {
  const key = `${customerId}|${period}`
  const group = groups.get(key)
  if (group) group.records++
  else groups.set(key, { customerId, period, records: 1 })
}

/** The records an import stored, per customer and period. */
async function routedRecords(importId: number) {
  const rows = await db
    .from('usage_records')
    .where('import_id', importId)
    .groupBy('customer_id', 'period')
    .select('customer_id', 'period')
    .count('* as n')
  return rows.map((r) => ({
    customerId: Number(r.customer_id),
    period: String(r.period),
    records: Number(r.n),
  }))
}

async function queuedRecords(importId: number) {
  const row = await db
    .from('unknown_usage_records')
    .where('import_id', importId)
    .count('* as n')
    .first()
  return Number(row?.n ?? 0)
}

/** Parses one row, refusing a field or value the usage columns cannot hold (never cut, never a database error). */
function checkedParse(
  parser: RowParser,
  fields: string[],
  line: number,
  maxField: number
): RowOutcome {
  const long = oversizedField(fields, maxField)
  if (long) return { kind: 'error', ...long }
  const outcome = parser.parse(fields, line)
  if (outcome.kind !== 'record') return outcome
  const problem = recordProblem(outcome.record)
  return problem ? { kind: 'error', ...problem } : outcome
}

/** Inserts an imports row and returns its id (works on MySQL and SQLite). */
export async function createImportRow(fields: Record<string, unknown>): Promise<number> {
  const stamp = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
  const [id] = await db.table('imports').insert({ created_at: stamp, updated_at: stamp, ...fields })
  return Number(id)
}

/** Maps, rates and rolls up a customer's changed periods (after the import committed). */
export async function processUsage(customerId: number, periods: string[], importId?: number) {
  try {
    const { afterUsageChange } = await import('#consolidation/usage_pipeline')
    return await afterUsageChange(customerId, periods)
  } catch (error) {
    logger.error({ err: error, importId, customerId }, 'mapping/rating after import failed')
    return null
  }
}
