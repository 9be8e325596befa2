/*
 * Import of a 1M-row Asterisk Master.csv end to end on MariaDB: hash, raw copy to
 * the drive, streaming parse, validation, one streamed LOAD DATA in one transaction.
 * The import itself runs in a child process of the compiled build (bench/import_child.ts)
 * and reports records/s and that process's peak RSS.
 */
import { execFile } from 'node:child_process'
import { mkdir, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { createMysqlDatabase, migrate } from './bench_database.js'

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000)

/**
 * Writes a Master.csv of `rows` calls. Runs in a child process (plain JavaScript) so that
 * generating 260 MB of text does not grow the heap of the process whose RSS is measured.
 */
const GENERATOR = `
const { createWriteStream } = require('node:fs')
const { once } = require('node:events')
const [path, rowsText] = process.argv.slice(1)
const rows = Number(rowsText)
;(async () => {
  const out = createWriteStream(path)
  const base = Date.UTC(2026, 9, 1, 7, 0, 0)
  const pad = (n) => String(n).padStart(2, '0')
  for (let i = 0; i < rows; i++) {
    const ext = 2000 + (i % 400)
    // Destinations repeat the way a business's calls do: 40k distinct numbers.
    const k = (i * 7919) % 40000
    const dst = k % 5 === 0 ? '07700' + String(900000 + k).padStart(6, '0') : '020794' + String(k).padStart(5, '0')
    const start = new Date(base + i * 2000)
    const ts = start.getUTCFullYear() + '-' + pad(start.getUTCMonth() + 1) + '-' + pad(start.getUTCDate()) + ' ' + pad(start.getUTCHours()) + ':' + pad(start.getUTCMinutes()) + ':' + pad(start.getUTCSeconds())
    const billsec = (i * 37) % 600
    const disp = i % 10 === 9 ? 'NO ANSWER' : 'ANSWERED'
    const hex = i.toString(16).padStart(8, '0')
    const line = '"","' + ext + '","' + dst + '","from-internal","""User ' + ext + '"" <' + ext + '>","SIP/' + ext + '-' + hex + '","SIP/trunk-' + hex + '","Dial","SIP/trunk/' + dst + ',60","' + ts + '","' + ts + '","' + ts + '",' + (billsec + 5) + ',' + billsec + ',"' + disp + '","DOCUMENTATION","","' + (1790000000 + Math.floor(i / 1000)) + '.' + i + '"\\n'
    if (!out.write(line)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
})()
`

export async function generate(path: string, rows: number) {
  await promisify(execFile)(process.execPath, ['-e', GENERATOR, path, String(rows)], {
    maxBuffer: 1024 * 1024,
  })
}

interface ChildResult {
  import_id: number
  status: string
  error: string | null
  read: number
  imported: number
  rejected: number
  seconds: number
  baseline_rss: number
  peak_rss: number
  peak_heap: number
}

export async function run() {
  process.env.DB_CONNECTION = 'mysql'
  process.env.DB_DATABASE = process.env.BENCH_DB_DATABASE ?? 'tollgate_bench'
  process.env.STORAGE_PATH = resolve(process.env.STORAGE_PATH ?? 'tmp/bench-storage')
  await createMysqlDatabase(process.env.DB_DATABASE)

  const { bootApp } = await import('./boot_app.js')
  const app = await bootApp()
  const { default: db } = await import('@adonisjs/lucid/services/db')
  await migrate(app)

  const { default: Customer } = await import('#models/customer')
  const { AsteriskParser } = await import('#connectors/asterisk')

  const dir = app.makePath('tmp/bench')
  await mkdir(dir, { recursive: true })
  const file = join(dir, `master-${ROWS}.csv`)
  await generate(file, ROWS)
  const bytes = (await stat(file)).size

  const account = `BENCH-${Date.now().toString(36)}`.toUpperCase()
  const customer = await Customer.create({
    accountNumber: account,
    name: 'Bench customer',
    timeZone: 'Europe/London',
    currency: 'GBP',
    taxRateBp: 2000,
    paymentTermsDays: 30,
    billDay: 1,
    recurringBilling: 'advance',
    itemiseCalls: false,
    miAddon: false,
  })

  // The compiled app, as production runs it (not timed; type errors are the test run's business, not the bench's).
  const root = app.makePath()
  await promisify(execFile)(process.execPath, ['ace', 'build', '--ignore-ts-errors'], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  })
  // Another writer (a second import, a Graph snapshot) inserting into usage_records while the file
  // goes in: how long its single-row inserts wait for the import's statements.
  const probe = { running: true, inserts: 0, maxWaitMs: 0 }
  const probing = (async () => {
    while (probe.running) {
      const t = Date.now()
      await db.table('usage_records').insert({
        customer_id: customer.id,
        source: 'bench:probe',
        dedupe_key: `probe-${probe.inserts++}`,
        identifier: '2000',
        occurred_at: '2026-10-01 00:00:00',
        period: '2026-10',
        category: 'voice',
      })
      probe.maxWaitMs = Math.max(probe.maxWaitMs, Date.now() - t)
      await new Promise((r) => setTimeout(r, 100))
    }
  })()
  const child = await promisify(execFile)(
    process.execPath,
    [join(root, 'build/bench/import_child.js'), file, String(customer.id)],
    { cwd: root, env: process.env, maxBuffer: 16 * 1024 * 1024 }
  )
  probe.running = false
  await probing
  const measured: ChildResult = JSON.parse(child.stdout.trim().split('\n').pop()!)
  if (measured.status !== 'completed')
    throw new Error(`the import did not complete: ${measured.error}`)
  const summary = {
    import_id: measured.import_id,
    read: measured.read,
    imported: measured.imported,
    rejected: measured.rejected,
  }

  // Mapping, rating and rollups of the new records belong to other modules; time them only when asked.
  let processSeconds: number | null = null
  let processed: unknown = null
  if (process.env.BENCH_IMPORT_PROCESS === '1') {
    const { processUsage } = await import('#connectors/import_file')
    const pStarted = process.hrtime.bigint()
    const periods = (
      await db.from('usage_records').where('import_id', summary.import_id).distinct('period')
    ).map((r: any) => r.period)
    processed = await processUsage(customer.id, periods, summary.import_id)
    processSeconds = Number((Number(process.hrtime.bigint() - pStarted) / 1e9).toFixed(2))
  }

  // The same file through the reader and the parser alone (no database), to show where the time goes.
  const { readCsvRows } = await import('#connectors/csv_reader')
  const parseStarted = process.hrtime.bigint()
  const parser = new AsteriskParser('Europe/London', 'Europe/London')
  let parsed = 0
  for await (const rows of readCsvRows(file))
    for (const r of rows) parser.parse(r.fields, r.line) && parsed++
  const parseSeconds = Number(process.hrtime.bigint() - parseStarted) / 1e9

  // Leave the shared bench database as it was (not timed).
  while (true) {
    const deleted: any = await db.rawQuery(
      'DELETE FROM usage_records WHERE customer_id = ? LIMIT 50000',
      [customer.id]
    )
    if (!Number(deleted?.[0]?.affectedRows)) break
  }
  await db.from('imports').where('customer_id', customer.id).delete()
  await db.from('customers').where('id', customer.id).delete()
  await rm(file, { force: true })

  return {
    rows: ROWS,
    file_mb: Math.round(bytes / 1024 / 1024),
    status: measured.status,
    read: summary.read,
    imported: summary.imported,
    rejected: summary.rejected,
    import_seconds: Number(measured.seconds.toFixed(2)),
    records_per_s: Math.round(summary.read / measured.seconds),
    imported_per_s: Math.round(summary.imported / measured.seconds),
    peak_rss_mb: Math.round(measured.peak_rss / 1024 / 1024),
    parse_only_records_per_s: Math.round(parsed / parseSeconds),
    baseline_rss_mb: Math.round(measured.baseline_rss / 1024 / 1024),
    peak_heap_mb: Math.round(measured.peak_heap / 1024 / 1024),
    concurrent_inserts: probe.inserts,
    concurrent_insert_max_wait_ms: probe.maxWaitMs,
    map_rate_rollup_seconds: processSeconds,
    map_rate_rollup_ok: processSeconds === null ? null : processed !== null,
  }
}
