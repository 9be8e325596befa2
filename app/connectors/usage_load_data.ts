import { Readable } from 'node:stream'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ParsedRecord } from '#connectors/types'
import { ImportFailure } from '#connectors/types'
import type { SinkTarget, StoredOutcome, UsageSink } from '#connectors/usage_sink'

/** Characters handed to the connection at a time. */
const CHUNK = 256 * 1024
/** Chunks kept for reuse (8 MB). */
const SPARE_CHUNKS = 32
/** Bytes allowed to wait in the stream and the socket before the parser pauses. */
const HIGH_WATER = 4 * 1024 * 1024
/** Rows per LOAD DATA statement: under a tenth of a second of the table's AUTO-INC lock. */
const STATEMENT_ROWS = 10_000
/** Statements sent or filled ahead of the server: the one it runs, the next, the one being parsed. */
const STATEMENTS_AHEAD = 3

const COLUMNS = [
  'customer_id',
  'source',
  'import_id',
  'dedupe_key',
  'identifier',
  'occurred_at',
  'period',
  'category',
  'destination',
  'duration_s',
  'volume_bytes',
  'quantity',
  'description',
  'cost_e4',
  'charge_code',
  'time_band',
  'cost_origin',
  'service_id',
  'employee_id',
  'department_id',
  'destination_name',
  'price_e4',
  'tariff_id',
  'rate_id',
  'allowance_used',
  'rating_status',
  'unrated_reason',
]

// IGNORE leaves out rows whose dedupe_key (unique per reseller) exists, as the duplicates of an import
// should be; it also turns other bad values into warnings, which finish() turns back into a failure.
const LOAD_SQL =
  `LOAD DATA LOCAL INFILE 'usage.tsv' IGNORE INTO TABLE usage_records CHARACTER SET utf8mb4 ` +
  `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${COLUMNS.join(', ')})`

const DUPLICATE_ENTRY = 1062
const SPECIAL = /[\\\t\n\r\0]/
const SPECIAL_ALL = /[\\\t\n\r\0]/g
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\\0',
}

function text(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : value
}
function nullable(value: string | null): string {
  return value === null ? '\\N' : text(value)
}
function integer(value: number | null): string {
  return value === null ? '\\N' : Number.isSafeInteger(value) ? String(value) : 'x'
}

const PENDING_TAIL = '\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t0\tpending\t\\N\n'

/** The tab-separated line LOAD DATA reads for one record (after the fixed columns); pending without an outcome. */
export function loadDataLine(r: ParsedRecord, o?: StoredOutcome | null): string {
  const head =
    text(r.dedupeKey) +
    '\t' +
    text(r.identifier) +
    '\t' +
    text(r.occurredAt) +
    '\t' +
    text(r.period) +
    '\t' +
    text(o ? o.category : r.category) +
    '\t' +
    nullable(r.destination) +
    '\t' +
    integer(r.durationS) +
    '\t' +
    integer(r.volumeBytes) +
    '\t' +
    integer(r.quantity) +
    '\t' +
    nullable(r.description) +
    '\t'
  const codes = '\t' + nullable(r.chargeCode ?? null) + '\t' + nullable(r.timeBand ?? null) + '\t'
  if (!o)
    return (
      head + integer(r.costE4) + codes + (r.costE4 === null ? '\\N' : 'supplier') + PENDING_TAIL
    )
  return (
    head +
    integer(o.cost_e4) +
    codes +
    nullable(o.cost_origin) +
    '\t' +
    integer(o.service_id) +
    '\t' +
    integer(o.employee_id) +
    '\t' +
    integer(o.department_id) +
    '\t' +
    nullable(o.destination_name) +
    '\t' +
    integer(o.price_e4) +
    '\t' +
    integer(o.tariff_id) +
    '\t' +
    integer(o.rate_id) +
    '\t' +
    integer(o.allowance_used) +
    '\t' +
    text(o.rating_status) +
    '\t' +
    nullable(o.unrated_reason) +
    '\n'
  )
}

/**
 * Streams the records of a file into LOAD DATA LOCAL statements on the transaction's own
 * connection while the file is still being parsed: the server inserts on one core while
 * the parser runs on the other. The server asks for a file by name; mysql2 serves it only
 * from the stream given here, never from disk.
 * A LOAD DATA holds the table's AUTO-INC lock until it ends, so every other insert into
 * usage_records (another import, a Graph snapshot) waits for it: the file goes in as
 * statements of STATEMENT_ROWS rows, each started as soon as the one before it ends,
 * while the parser fills the next ones (at most STATEMENTS_AHEAD, so memory stays bounded
 * when the parser outruns the server).
 */
export async function openLoadDataSink(
  trx: TransactionClientContract,
  target: SinkTarget
): Promise<UsageSink> {
  // The transaction's mysql2 connection: knex hands out the transaction's own connection here.
  const connection = await (trx.knexClient as any).client.acquireConnection()
  return new LoadDataSink(trx, target, connection)
}

/** The usage sink of openLoadDataSink: lines encoded into chunks, chunks fed to one statement after another. */
class LoadDataSink implements UsageSink {
  private readonly socket: NodeJS.WritableStream & { writableLength: number }
  /** add() waiting for room (for the server, the stream or the socket to catch up). */
  private wake: (() => void) | null = null
  private failed: unknown = null
  private inserted = 0
  // Each statement starts when the one before has ended and had its warnings read.
  private chain: Promise<void> = Promise.resolve()
  private unfinished = 0
  private readonly suffix: string
  // A reseller-wide file alternates between customers: one prefix string per customer.
  private readonly prefixes = new Map<number, string>()
  // Lines are encoded straight into a buffer: a long string built of many rows would
  // outlive several young-generation collections and fill the old generation.
  // mysql2 copies each chunk into its packet as it reads it, so a chunk read is free for the next
  // rows: left to the garbage collector, ~64 MB of chunks waited for a full collection at a time.
  private readonly spare: Buffer[] = []
  private out: Buffer = Buffer.allocUnsafe(CHUNK)
  private used = 0
  /** The file line of each record, for the errors of the warnings a statement leaves. */
  private lines = new Uint32Array(1 << 16)
  private count = 0
  private feed: Readable
  private inStatement = 0

  constructor(
    private readonly trx: TransactionClientContract,
    private readonly target: SinkTarget,
    private readonly connection: any
  ) {
    this.socket = connection.stream
    this.socket.on('drain', this.resume)
    this.suffix = `\t${text(target.source)}\t${target.importId}\t`
    this.feed = new Readable({ highWaterMark: CHUNK, read: this.resume })
    this.statement(this.feed, 0)
  }

  /** Wakes add() waiting for room (the socket drained, a feed wants more, a statement ended). */
  private readonly resume = () => {
    const w = this.wake
    this.wake = null
    w?.()
  }

  /** Keeps a chunk mysql2 has read (copied into its packet) for the next rows. */
  private readonly reuse = (chunk: Buffer) => {
    if (chunk.buffer.byteLength === CHUNK && this.spare.length < SPARE_CHUNKS)
      this.spare.push(Buffer.from(chunk.buffer, 0, CHUNK))
  }

  /** Queues the LOAD DATA statement that reads `feed`, whose first record is the file's `first`. */
  private statement(feed: Readable, first: number) {
    this.unfinished++
    this.chain = this.chain.then(async () => {
      try {
        if (this.failed) return
        const header = await this.load(feed)
        if (warnedBeyondSkipped(header)) await throwFirstWarning(this.trx, this.lines, first)
        this.inserted += Number(header?.affectedRows ?? 0)
      } catch (error) {
        this.failed = error
      } finally {
        this.unfinished--
        this.resume()
      }
    })
  }

  /** Runs one LOAD DATA statement serving `feed` as its file; resolves with the server's result header. */
  private load(feed: Readable): Promise<any> {
    return new Promise<any>((resolve, reject) => {
      this.connection.query(
        { sql: LOAD_SQL, infileStreamFactory: () => feed.on('data', this.reuse) },
        (error: unknown, res: unknown) => (error ? reject(error) : resolve(res))
      )
    })
  }

  private prefixOf(customerId: number) {
    let p = this.prefixes.get(customerId)
    if (p === undefined) this.prefixes.set(customerId, (p = customerId + this.suffix))
    return p
  }

  /** Hands the filled part of the chunk to the statement's feed and starts a fresh chunk. */
  private send() {
    if (this.used) this.feed.push(this.out.subarray(0, this.used))
    this.out = this.spare.pop() ?? Buffer.allocUnsafe(CHUNK)
    this.used = 0
  }

  private endStatement() {
    this.send()
    this.feed.push(null)
  }

  /** Ends the statement of STATEMENT_ROWS records and queues the next one. */
  private nextStatement() {
    this.endStatement()
    this.feed = new Readable({ highWaterMark: CHUNK, read: this.resume })
    this.inStatement = 0
    this.statement(this.feed, this.count)
  }

  private crowded() {
    return (
      this.unfinished > STATEMENTS_AHEAD ||
      this.feed.readableLength > HIGH_WATER ||
      this.socket.writableLength > HIGH_WATER
    )
  }

  private async waitForRoom() {
    while (!this.failed && this.crowded())
      await new Promise<void>((resolve) => (this.wake = resolve))
    if (this.failed) throw this.failed
  }

  private close() {
    this.socket.removeListener('drain', this.resume)
  }

  add(
    record: ParsedRecord,
    line: number,
    customerId = this.target.customerId,
    outcome?: StoredOutcome | null
  ) {
    if (this.count === this.lines.length) {
      const grown = new Uint32Array(this.lines.length * 2)
      grown.set(this.lines)
      this.lines = grown
    }
    this.lines[this.count++] = line
    const tsv = this.prefixOf(customerId) + loadDataLine(record, outcome)
    // Three bytes a UTF-16 unit is the most UTF-8 can take.
    if (this.used + tsv.length * 3 > CHUNK) {
      this.send()
      if (tsv.length * 3 > CHUNK) this.out = Buffer.allocUnsafe(tsv.length * 3)
    }
    this.used += this.out.write(tsv, this.used)
    if (++this.inStatement === STATEMENT_ROWS) this.nextStatement()
    if (this.failed || this.crowded()) return this.waitForRoom()
  }

  async finish() {
    this.endStatement()
    await this.chain
    this.close()
    if (this.failed) throw this.failed
    return this.inserted
  }

  async abort() {
    this.used = 0
    this.failed ??= new Error('aborted')
    if (!this.feed.readableEnded) this.feed.push(null)
    await this.chain
    this.close()
  }
}

/** True when a statement's result header counts more warnings than skipped duplicates. */
function warnedBeyondSkipped(header: any): boolean {
  const info = /Records:\s*(\d+)\s+Deleted:\s*(\d+)\s+Skipped:\s*(\d+)\s+Warnings:\s*(\d+)/.exec(
    String(header?.info ?? '')
  )
  return Boolean(info && Number(info[4]) > Number(info[3]))
}

/** Turns the first warning that is not a duplicate into an error naming the file line and column. */
async function throwFirstWarning(
  trx: TransactionClientContract,
  lines: Uint32Array,
  first: number
): Promise<never> {
  const result: any = await trx.rawQuery('SHOW WARNINGS LIMIT 100')
  const warnings: { Code: number; Message: string }[] = result?.[0] ?? []
  const warning = warnings.find((w) => Number(w.Code) !== DUPLICATE_ENTRY)
  const message = warning?.Message ?? 'the database changed or refused a value'
  const row = /at row (\d+)/.exec(message)
  const column = /column '([^']+)'/.exec(message)
  const line = row ? lines[first + Number(row[1]) - 1] : undefined
  throw new ImportFailure(
    `${line ? `line ${line}: ` : ''}${column ? `field ${column[1]}: ` : ''}the database refused the value (${message})`
  )
}
