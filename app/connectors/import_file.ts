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
import type { UsageSink } from '#connectors/usage_sink'
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

const now = () => DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')

/** What importFile learns of a file before reading it. */
interface FileFacts {
  /** The route its records came by (usageSource). */
  source: string
  /** Name shown in the UI. */
  sourceName: string
  size: number
  sha256: string
}

type RowError = Extract<RowOutcome, { kind: 'error' }>
type UnknownSink = ReturnType<typeof openUnknownSink>

/**
 * Imports one file: keeps the raw file on the drive with its SHA-256, skips a
 * file any route imported before, streams the rows through the parser,
 * and writes the good rows, the rejected rows and the final counts in one
 * transaction. Rows failing validation become import_errors; a file that is
 * structurally broken (unreadable CSV, every row the wrong shape, empty) fails
 * whole with nothing written but the failed import itself.
 */
export async function importFile(opts: ImportFileOptions): Promise<ImportSummary> {
  const { customer, connector } = opts
  const file = await describeFile(opts)
  const importId = await startImportRow(opts, file)
  const seen = await completedImportOf(file.sha256, importId)
  if (seen && !opts.force) return skipSeenFile(importId, seen)
  const router = customer ? null : await Router.load(db.connection(), connector?.id ?? null)
  // Records are mapped and rated on their way in (unless the caller processes them itself).
  const enricher =
    opts.process === false
      ? null
      : await UsageEnricher.load(db.connection(), customer?.id ?? null, connector?.settings ?? null)

  const rawPath = `imports/${file.sha256}`
  await db
    .from('imports')
    .where('id', importId)
    .update({ status: 'running', raw_path: rawPath, heartbeat_at: now() })
  const heartbeat = startHeartbeat(importId)
  const rawCopy = startRawCopy(rawPath, opts.path)
  const run = new ImportRun(opts, file, importId, router, enricher)

  try {
    if (file.size === 0) throw new ImportFailure('the file is empty')
    await db.transaction((trx) => run.store(trx, rawCopy))
  } catch (error) {
    clearInterval(heartbeat)
    // A failed file is kept too, for the download on its import page.
    await rawCopy.catch(() => {})
    await rm(run.spillPath, { force: true })
    return recordFailure(run, error)
  }

  clearInterval(heartbeat)
  await rm(run.spillPath, { force: true })
  faultPoint('import.after_commit')
  return processCommitted(run)
}

async function describeFile(opts: ImportFileOptions): Promise<FileFacts> {
  const source = usageSource(opts)
  const sourceName = (opts.sourceName ?? basename(opts.path)).slice(0, 255)
  const size = (await stat(opts.path)).size
  const sha256 = await sha256File(opts.path)
  return { source, sourceName, size, sha256 }
}

/** Fills in the import row the caller created, or creates one; returns its id. */
async function startImportRow(opts: ImportFileOptions, file: FileFacts): Promise<number> {
  // Import rows are written with the query builder: the model's `sha256` property maps to a
  // "sha_256" column under the snake-case naming strategy, and the table's column is "sha256".
  const fields = {
    connector_id: opts.connector?.id ?? null,
    customer_id: opts.customer?.id ?? null,
    source_name: file.sourceName,
    format: opts.format.slice(0, 64),
    sha256: file.sha256,
    rows_read: 0,
    rows_imported: 0,
    rows_duplicate: 0,
    rows_rejected: 0,
    progress_pct: 0,
    error_message: null,
    started_at: now(),
    updated_at: now(),
  }
  if (!opts.importId) return createImportRow({ ...fields, status: 'pending' })
  await db.from('imports').where('id', opts.importId).update(fields)
  return opts.importId
}

/** The first completed import of the same file, whatever route brought it (upload, another connector, another customer's import). */
async function completedImportOf(sha256: string, importId: number) {
  return db
    .from('imports')
    .where('sha256', sha256)
    .where('status', 'completed')
    .whereNot('id', importId)
    .orderBy('id')
    .first()
}

/** Marks the import skipped as the same file as `seen`, which is finished first if it was killed before processing. */
async function skipSeenFile(importId: number, seen: any): Promise<ImportSummary> {
  // The same file imported before but killed before its records were processed: finish that now.
  if (seen.stage === 'imported') await processImport(Number(seen.id))
  await db
    .from('imports')
    .where('id', importId)
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
    import_id: importId,
    status: 'skipped',
    read: 0,
    imported: 0,
    duplicates: 0,
    rejected: 0,
    errors: [],
    same_as_import_id: Number(seen.id),
  }
}

/** A sign of life while the file's transaction runs: an import whose heartbeat stops was killed (recoverImports). */
function startHeartbeat(importId: number) {
  const heartbeat = setInterval(() => {
    const client = db.connection().dialect.name.includes('sqlite') ? null : db
    client
      ?.from('imports')
      .where('id', importId)
      .where('status', 'running')
      .update({ heartbeat_at: now() })
      .catch(() => {})
  }, 10_000)
  heartbeat.unref()
  return heartbeat
}

/** The raw copy is written while the rows are parsed, and the import only commits once it is kept. */
function startRawCopy(rawPath: string, path: string) {
  const disk = drive.use()
  const rawCopy = disk
    .exists(rawPath)
    .then((kept) => (kept ? undefined : disk.putStream(rawPath, createReadStream(path))))
  rawCopy.catch(() => {})
  return rawCopy
}

/**
 * One file's import in progress: what was read (counts, charges, errors for the summary,
 * periods and routed customers for processing), and, in the file's transaction (store()), the
 * rows going from the parser into the usage sink, the unknown-services queue and import_errors.
 */
class ImportRun {
  readonly counts = { read: 0, imported: 0, duplicates: 0, rejected: 0, internal: 0, charges: 0 }
  readonly charges: ParsedCharge[] = []
  readonly summaryErrors: ImportSummary['errors'] = []
  readonly periods = new Set<string>()
  /** Records per customer and month as read: the routed counts when the database kept them all. */
  readonly routedRead = new Map<string, RoutedGroup>()
  /** Every record given to the usage sink went in (none was a duplicate). */
  storedAll = false
  readonly spillPath: string
  private readonly accountField: string
  private readonly sqlite = db.connection().dialect.name.includes('sqlite')

  // Rejected rows wait in memory, then in a spill file, and go in at the end: an import_errors
  // row locks its import (foreign key) until commit, which would block the progress updates.
  private errors: Record<string, unknown>[] = []
  private spilled = 0
  /** Rows that were not errors; records among them; records given to the usage sink. */
  private valid = 0
  private records = 0
  private stored = 0
  /** Rows of the wrong shape (column count), and the first of them. */
  private structural = 0
  private firstStructural = ''
  private lastPct = -1
  private lastProgressAt = 0
  private sinceProgress = 0

  constructor(
    readonly opts: ImportFileOptions,
    readonly file: FileFacts,
    readonly id: number,
    readonly router: Router | null,
    readonly enricher: UsageEnricher | null
  ) {
    this.accountField = opts.parser.accountField ?? 'account'
    this.spillPath = join(tmpdir(), `tollgate-import-${id}-${process.pid}.errors.ndjson`)
  }

  /** The file's transaction: its records, rejected rows, charges and final counts, all or nothing. */
  async store(trx: TransactionClientContract, rawCopy: Promise<unknown>) {
    const { customer, connector } = this.opts
    const source = this.file.source
    const sink = await openUsageSink(trx, {
      customerId: customer?.id ?? 0,
      source,
      importId: this.id,
    })
    const queue = openUnknownSink(trx, {
      source,
      importId: this.id,
      connectorId: connector?.id ?? null,
    })
    try {
      await this.readRows(trx, sink, queue)
      await this.finishSinks(trx, sink, queue)
    } catch (error) {
      await sink.abort()
      await queue.abort()
      if (error instanceof CsvSyntaxError) throw new ImportFailure(error.message)
      throw error
    }
    await this.reportProgress(trx, this.file.size, true)
    // After the last progress update: these rows lock the import (foreign key) until commit.
    if (this.charges.length) {
      this.counts.charges = await insertSupplierCharges(trx, this.charges, {
        importId: this.id,
        connectorId: connector?.id ?? null,
        customerId: customer?.id ?? null,
        source,
      })
    }
    await this.insertErrors(trx)
    await rawCopy
    await this.markCompleted(trx)
  }

  /** Streams the file's rows through the parser (and the router of a reseller-wide import) into the sinks. */
  private async readRows(trx: TransactionClientContract, sink: UsageSink, queue: UnknownSink) {
    const { parser, customer } = this.opts
    const { router, enricher, counts, periods, routedRead } = this
    let headerPending = parser.hasHeader
    const maxField = maxFieldChars()
    let chars = 0
    for await (const rows of readCsvRows(this.opts.path, {
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
            outcome = { kind: 'error', field: this.accountField, message: route.message }
          else if (route.kind === 'customer') {
            customerId = route.customerId
            outcome.record.period = route.period
          }
        }
        if (outcome.kind === 'record') {
          this.valid++
          this.records++
          const r: ParsedRecord = outcome.record
          if (!periods.has(r.period)) periods.add(r.period)
          if (r.category === INTERNAL_CATEGORY) counts.internal++
          let wait: void | Promise<void>
          if (router && customerId === undefined) wait = queue.add(r)
          else {
            this.stored++
            const owner = customerId ?? customer!.id
            if (router) countRouted(routedRead, owner, r.period)
            wait = sink.add(r, line, owner, enricher?.outcome(owner, r))
          }
          if (wait) await wait
          if (++this.sinceProgress === PROGRESS_EVERY) {
            this.sinceProgress = 0
            await this.reportProgress(trx, chars)
          }
        } else if (outcome.kind === 'charge') {
          this.valid++
          this.charges.push(outcome.charge)
        } else if (outcome.kind === 'error') {
          if (this.keepRejected(outcome, cells, line)) await this.spillErrors()
        } else {
          this.valid++
        }
      }
    }
    this.refuseUnusableFile(headerPending)
  }

  /** A file without data rows, or with nothing but rows of the wrong shape, fails whole. */
  private refuseUnusableFile(headerPending: boolean) {
    if (headerPending || this.counts.read === 0)
      throw new ImportFailure('the file has no data rows')
    if (this.valid === 0 && this.structural === this.counts.read) {
      throw new ImportFailure(
        `every row has the wrong shape for ${this.opts.format} (${this.firstStructural})`
      )
    }
  }

  /** Counts a rejected row and keeps its error; true when the errors kept should be spilled. */
  private keepRejected(outcome: RowError, cells: string[], line: number): boolean {
    this.counts.rejected++
    if (outcome.structural) {
      this.structural++
      if (!this.firstStructural) this.firstStructural = `line ${line}: ${outcome.message}`
    }
    const message = outcome.message.slice(0, 500)
    if (this.summaryErrors.length < SUMMARY_ERRORS)
      this.summaryErrors.push({ line, field: outcome.field, message })
    this.errors.push({
      import_id: this.id,
      line,
      field: outcome.field,
      message,
      raw: csvLine(cells).slice(0, 10_000),
    })
    return this.errors.length >= ERROR_BATCH * 10
  }

  /** Writes what the sinks hold; the records they left out were duplicates of calls stored before. */
  private async finishSinks(trx: TransactionClientContract, sink: UsageSink, queue: UnknownSink) {
    const counts = this.counts
    counts.imported = await sink.finish()
    this.storedAll = counts.imported === this.stored
    counts.imported += await queue.finish()
    if (this.enricher) await writeStreamedRollups(this.enricher, this.storedAll, trx)
    counts.duplicates = this.records - counts.imported
  }

  /** Tells the caller how far the file is read, and the imports row (at most every 500 ms or on a new percent). */
  private async reportProgress(trx: TransactionClientContract, bytes: number, force = false) {
    const size = this.file.size
    const pct = Math.min(99, Math.floor((bytes / size) * 100))
    this.opts.onProgress?.(bytes, size)
    const at = Date.now()
    if (!force && (pct === this.lastPct || at - this.lastProgressAt < 500)) return
    this.lastPct = pct
    this.lastProgressAt = at
    // On MySQL another connection updates the row so the UI sees it while the file's transaction runs.
    const client = this.sqlite ? trx : db
    await client.from('imports').where('id', this.id).update({
      progress_pct: pct,
      rows_read: this.counts.read,
      heartbeat_at: now(),
    })
    faultPoint('import.during_rows')
  }

  /** Moves the errors kept in memory to the spill file once there are at least a batch of them. */
  private async spillErrors() {
    if (this.errors.length < ERROR_BATCH) return
    await appendFile(this.spillPath, this.errors.map((e) => JSON.stringify(e)).join('\n') + '\n')
    this.spilled += this.errors.length
    this.errors = []
  }

  /** Inserts the rejected rows, the spilled ones first, in batches. */
  private async insertErrors(trx: TransactionClientContract) {
    if (this.spilled) {
      let chunk: Record<string, unknown>[] = []
      const lines = createInterface({
        input: createReadStream(this.spillPath),
        crlfDelay: Infinity,
      })
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
    for (let i = 0; i < this.errors.length; i += ERROR_BATCH) {
      await trx
        .knexQuery()
        .table('import_errors')
        .insert(this.errors.slice(i, i + ERROR_BATCH))
    }
    this.errors = []
  }

  /** The final counts on the imports row, and the import.completed webhook, in the file's transaction. */
  private async markCompleted(trx: TransactionClientContract) {
    const counts = this.counts
    await trx.from('imports').where('id', this.id).update({
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
    const completed = { import_id: this.id, status: 'completed', ...counts }
    await recordWebhookEvent(
      'import.completed',
      importPayload(completed, this.webhookSource()),
      trx
    )
  }

  /** The file as the import webhooks name it. */
  webhookSource() {
    return {
      fileName: this.file.sourceName,
      connectorId: this.opts.connector?.id ?? null,
      customerId: this.opts.customer?.id ?? null,
    }
  }
}

/** Marks the import failed, with its webhook, in a transaction of its own; returns the failed summary. */
async function recordFailure(run: ImportRun, error: unknown): Promise<ImportSummary> {
  const failure = error instanceof ImportFailure ? error : null
  const reason = serverReason(error)
  const message = failure ? failure.message : `import failed: ${reason}`
  if (!failure) logger.error({ importId: run.id, reason }, 'import failed')
  const failed = {
    import_id: run.id,
    status: 'failed' as const,
    read: run.counts.read,
    imported: 0,
    duplicates: 0,
    rejected: 0,
    error: message,
  }
  await db.transaction(async (trx) => {
    await trx
      .from('imports')
      .where('id', run.id)
      .update({
        status: 'failed',
        error_message: message.slice(0, 2000),
        finished_at: now(),
        updated_at: now(),
        rows_read: run.counts.read,
        rows_imported: 0,
        rows_duplicate: 0,
        rows_rejected: 0,
      })
    await recordWebhookEvent('import.failed', importPayload(failed, run.webhookSource()), trx)
  })
  return { ...failed, errors: [], retryable: !failure || failure.kind === 'error' }
}

/** Database errors carry the statement (and so the data): keep only the server's message. */
function serverReason(error: unknown): string {
  const e = error as any
  return e?.sqlMessage
    ? `${e.code}: ${e.sqlMessage}`
    : String(e?.message ?? e)
        .split('\n')[0]
        .split(' - ')
        .pop()!
        .slice(0, 500)
}

/** After commit: the summary, once the new records are mapped, rated and rolled up (unless the caller does it). */
async function processCommitted(run: ImportRun): Promise<ImportSummary> {
  const { customer } = run.opts
  const counts = run.counts
  const summary: ImportSummary = {
    import_id: run.id,
    status: 'completed',
    read: counts.read,
    imported: counts.imported,
    duplicates: counts.duplicates,
    rejected: counts.rejected,
    internal: counts.internal,
    charges: counts.charges,
    errors: run.summaryErrors,
  }
  if (!customer) return processRouted(run, summary)
  if (run.opts.process !== false && counts.imported > 0)
    await processImport(
      run.id,
      new Map([[customer.id, [...run.periods]]]),
      streamedCustomers(run.enricher)
    )
  else if (counts.imported === 0)
    await db.from('imports').where('id', run.id).update({ stage: 'processed' })
  return summary
}

/** A reseller-wide import's summary gets the records stored per account and those queued as unknown. */
async function processRouted(run: ImportRun, summary: ImportSummary): Promise<ImportSummary> {
  const router = run.router!
  // Every record read went in: the counts kept while reading are the stored ones (a GROUP BY
  // over a 1M-record import took seconds); otherwise some were duplicates, so the records tell.
  const routed = run.storedAll ? [...run.routedRead.values()] : await routedRecords(run.id)
  summary.routed = {}
  for (const r of routed)
    summary.routed[router.accountNumber(r.customerId)] =
      (summary.routed[router.accountNumber(r.customerId)] ?? 0) + r.records
  summary.unknown = await queuedRecords(run.id)
  if (run.opts.process !== false) {
    const byCustomer = new Map<number, string[]>()
    for (const r of routed)
      byCustomer.set(r.customerId, [...(byCustomer.get(r.customerId) ?? []), r.period])
    await processImport(run.id, byCustomer, streamedCustomers(run.enricher))
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
