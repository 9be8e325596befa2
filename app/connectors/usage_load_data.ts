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
  const socket = connection.stream as NodeJS.WritableStream & { writableLength: number }

  let wake: (() => void) | null = null
  const resume = () => {
    const w = wake
    wake = null
    w?.()
  }
  socket.on('drain', resume)

  let failed: unknown = null
  let inserted = 0
  // Each statement starts when the one before has ended and had its warnings read.
  let chain: Promise<void> = Promise.resolve()
  let unfinished = 0
  const statement = (feed: Readable, first: number) => {
    unfinished++
    chain = chain.then(async () => {
      try {
        if (failed) return
        const header = await new Promise<any>((resolve, reject) => {
          connection.query(
            { sql: LOAD_SQL, infileStreamFactory: () => feed.on('data', reuse) },
            (error: unknown, res: unknown) => (error ? reject(error) : resolve(res))
          )
        })
        const info =
          /Records:\s*(\d+)\s+Deleted:\s*(\d+)\s+Skipped:\s*(\d+)\s+Warnings:\s*(\d+)/.exec(
            String(header?.info ?? '')
          )
        if (info && Number(info[4]) > Number(info[3])) await throwFirstWarning(trx, lines, first)
        inserted += Number(header?.affectedRows ?? 0)
      } catch (error) {
        failed = error
      } finally {
        unfinished--
        resume()
      }
    })
  }

  const suffix = `\t${text(target.source)}\t${target.importId}\t`
  // A reseller-wide file alternates between customers: one prefix string per customer.
  const prefixes = new Map<number, string>()
  const prefixOf = (customerId: number) => {
    let p = prefixes.get(customerId)
    if (p === undefined) prefixes.set(customerId, (p = customerId + suffix))
    return p
  }
  // Lines are encoded straight into a buffer: a long string built of many rows would
  // outlive several young-generation collections and fill the old generation.
  // mysql2 copies each chunk into its packet as it reads it, so a chunk read is free for the next
  // rows: left to the garbage collector, ~64 MB of chunks waited for a full collection at a time.
  const spare: Buffer[] = []
  const reuse = (chunk: Buffer) => {
    if (chunk.buffer.byteLength === CHUNK && spare.length < SPARE_CHUNKS)
      spare.push(Buffer.from(chunk.buffer, 0, CHUNK))
  }
  let out: Buffer = Buffer.allocUnsafe(CHUNK)
  let used = 0
  let lines = new Uint32Array(1 << 16)
  let count = 0
  let feed = new Readable({ highWaterMark: CHUNK, read: resume })
  let inStatement = 0
  statement(feed, 0)

  const send = () => {
    if (used) feed.push(out.subarray(0, used))
    out = spare.pop() ?? Buffer.allocUnsafe(CHUNK)
    used = 0
  }
  const endStatement = () => {
    send()
    feed.push(null)
  }
  const crowded = () =>
    unfinished > STATEMENTS_AHEAD ||
    feed.readableLength > HIGH_WATER ||
    socket.writableLength > HIGH_WATER
  const waitForRoom = async () => {
    while (!failed && crowded()) await new Promise<void>((resolve) => (wake = resolve))
    if (failed) throw failed
  }
  const close = () => {
    socket.removeListener('drain', resume)
  }

  return {
    add(
      record: ParsedRecord,
      line: number,
      customerId = target.customerId,
      outcome?: StoredOutcome | null
    ) {
      if (count === lines.length) {
        const grown = new Uint32Array(lines.length * 2)
        grown.set(lines)
        lines = grown
      }
      lines[count++] = line
      const tsv = prefixOf(customerId) + loadDataLine(record, outcome)
      // Three bytes a UTF-16 unit is the most UTF-8 can take.
      if (used + tsv.length * 3 > CHUNK) {
        send()
        if (tsv.length * 3 > CHUNK) out = Buffer.allocUnsafe(tsv.length * 3)
      }
      used += out.write(tsv, used)
      if (++inStatement === STATEMENT_ROWS) {
        endStatement()
        feed = new Readable({ highWaterMark: CHUNK, read: resume })
        inStatement = 0
        statement(feed, count)
      }
      if (failed || crowded()) return waitForRoom()
    },
    async finish() {
      endStatement()
      await chain
      close()
      if (failed) throw failed
      return inserted
    },
    async abort() {
      used = 0
      failed ??= new Error('aborted')
      if (!feed.readableEnded) feed.push(null)
      await chain
      close()
    },
  }
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
