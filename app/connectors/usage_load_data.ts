import { Readable } from 'node:stream'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ParsedRecord } from '#connectors/types'
import { ImportFailure } from '#connectors/types'
import type { SinkTarget, UsageSink } from '#connectors/usage_sink'

/** Characters handed to the connection at a time. */
const CHUNK = 256 * 1024
/** Bytes allowed to wait in the stream and the socket before the parser pauses. */
const HIGH_WATER = 4 * 1024 * 1024

const COLUMNS = [
  'customer_id', 'source', 'import_id', 'dedupe_key', 'identifier', 'occurred_at', 'period', 'category',
  'destination', 'duration_s', 'volume_bytes', 'quantity', 'description', 'cost_e4',
]

// IGNORE leaves out rows whose (source, dedupe_key) exists, as the duplicates of an import
// should be; it also turns other bad values into warnings, which finish() turns back into a failure.
const LOAD_SQL =
  `LOAD DATA LOCAL INFILE 'usage.tsv' IGNORE INTO TABLE usage_records CHARACTER SET utf8mb4 ` +
  `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${COLUMNS.join(', ')})`

const DUPLICATE_ENTRY = 1062
const SPECIAL = /[\\\t\n\r\0]/
const SPECIAL_ALL = /[\\\t\n\r\0]/g
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' }

function text(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : value
}
function nullable(value: string | null): string {
  return value === null ? '\\N' : text(value)
}
function integer(value: number | null): string {
  return value === null ? '\\N' : Number.isSafeInteger(value) ? String(value) : 'x'
}

/** The tab-separated line LOAD DATA reads for one record (after the fixed columns). */
export function loadDataLine(r: ParsedRecord): string {
  return (
    text(r.dedupeKey) + '\t' + text(r.identifier) + '\t' + text(r.occurredAt) + '\t' + text(r.period) + '\t' +
    text(r.category) + '\t' + nullable(r.destination) + '\t' + integer(r.durationS) + '\t' + integer(r.volumeBytes) +
    '\t' + integer(r.quantity) + '\t' + nullable(r.description) + '\t' + integer(r.costE4) + '\n'
  )
}

/**
 * Streams the records of a file into one LOAD DATA LOCAL statement on the transaction's
 * own connection while the file is still being parsed: the server inserts on one core
 * while the parser runs on the other. The server asks for a file by name; mysql2 serves
 * it only from the stream factory given here, never from disk.
 */
export async function openLoadDataSink(trx: TransactionClientContract, target: SinkTarget): Promise<UsageSink> {
  // The transaction's mysql2 connection: knex hands out the transaction's own connection here.
  const connection = await (trx.knexClient as any).client.acquireConnection()
  const socket = connection.stream as NodeJS.WritableStream & { writableLength: number }

  let wake: (() => void) | null = null
  const resume = () => {
    const w = wake
    wake = null
    w?.()
  }
  const feed = new Readable({ highWaterMark: CHUNK, read: resume })
  socket.on('drain', resume)

  const result = new Promise<any>((resolve, reject) => {
    connection.query({ sql: LOAD_SQL, infileStreamFactory: () => feed }, (error: unknown, res: unknown) =>
      error ? reject(error) : resolve(res)
    )
  })
  let failed: unknown = null
  const settled = result.then(
    () => {},
    (error) => {
      failed = error
    }
  )

  const prefix = `${target.customerId}\t${text(target.source)}\t${target.importId}\t`
  // Lines are encoded straight into a buffer: a long string built of many rows would
  // outlive several young-generation collections and fill the old generation.
  let out = Buffer.allocUnsafe(CHUNK)
  let used = 0
  let ended = false
  let lines = new Uint32Array(1 << 16)
  let count = 0

  const waitForRoom = async () => {
    while (!failed && (feed.readableLength > HIGH_WATER || socket.writableLength > HIGH_WATER)) {
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), settled])
    }
    if (failed) throw failed
  }
  const send = () => {
    if (used) feed.push(out.subarray(0, used))
    out = Buffer.allocUnsafe(CHUNK)
    used = 0
  }
  const close = () => {
    socket.removeListener('drain', resume)
  }

  return {
    add(record: ParsedRecord, line: number) {
      if (count === lines.length) {
        const grown = new Uint32Array(lines.length * 2)
        grown.set(lines)
        lines = grown
      }
      lines[count++] = line
      const tsv = prefix + loadDataLine(record)
      // Three bytes a UTF-16 unit is the most UTF-8 can take.
      if (used + tsv.length * 3 > CHUNK) {
        send()
        if (tsv.length * 3 > CHUNK) out = Buffer.allocUnsafe(tsv.length * 3)
      }
      used += out.write(tsv, used)
      if (feed.readableLength > HIGH_WATER || socket.writableLength > HIGH_WATER || failed) return waitForRoom()
    },
    async finish() {
      send()
      ended = true
      feed.push(null)
      try {
        const header = await result
        const info = /Records:\s*(\d+)\s+Deleted:\s*(\d+)\s+Skipped:\s*(\d+)\s+Warnings:\s*(\d+)/.exec(String(header?.info ?? ''))
        const inserted = Number(header?.affectedRows ?? 0)
        const warnings = info ? Number(info[4]) : 0
        const skipped = info ? Number(info[3]) : 0
        if (warnings > skipped) await throwFirstWarning(trx, lines)
        return inserted
      } finally {
        close()
      }
    },
    async abort() {
      used = 0
      if (!ended) {
        ended = true
        feed.push(null)
      }
      await settled
      close()
    },
  }
}

/** Turns the first warning that is not a duplicate into an error naming the file line and column. */
async function throwFirstWarning(trx: TransactionClientContract, lines: Uint32Array): Promise<never> {
  const result: any = await trx.rawQuery('SHOW WARNINGS LIMIT 100')
  const warnings: { Code: number; Message: string }[] = result?.[0] ?? []
  const warning = warnings.find((w) => Number(w.Code) !== DUPLICATE_ENTRY)
  const message = warning?.Message ?? 'the database changed or refused a value'
  const row = /at row (\d+)/.exec(message)
  const column = /column '([^']+)'/.exec(message)
  const line = row ? lines[Number(row[1]) - 1] : undefined
  throw new ImportFailure(
    `${line ? `line ${line}: ` : ''}${column ? `field ${column[1]}: ` : ''}the database refused the value (${message})`
  )
}
