/*
 * UK Standard CDR end to end on MariaDB: a generated 1M-row v3.01 call file for 500 customers
 * (Customer Identifier = their account numbers) and 20,000 numbers (services, each held by an
 * employee), a 200k-prefix sell deck and a 200k-prefix buy deck, imported reseller-wide through
 * the uk_standard_cdr connector in one call (parse → route → dedupe → map to employees → rate
 * sell and cost → persist → rollups); then the same records re-rated after a sell-deck change;
 * then a bare LOAD DATA LOCAL of the same final rows into the same table, and the ratio.
 * BENCH_UKCDR_ROWS overrides the row count; BENCH_UKCDR_RERATE=0 leaves the re-rate out.
 */
import { execFile } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { once } from 'node:events'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { createMysqlDatabase, migrate } from './bench_database.js'

const ROWS = Number(process.env.BENCH_UKCDR_ROWS ?? 1_000_000)
const RERATE = process.env.BENCH_UKCDR_RERATE !== '0'
const CUSTOMERS = 500
const NUMBERS = 20_000
const PREFIXES = 200_000
const run$ = promisify(execFile)
const t0 = Date.now()
const step = (what: string) =>
  process.stderr.write(`ukcdr bench: ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`)

/** Plain JavaScript in a child process: 1M rows of text must not grow the measured heaps. */
const GENERATOR = `
const { createWriteStream } = require('node:fs')
const { once } = require('node:events')
const [path, rowsText, header, tag] = process.argv.slice(1)
const rows = Number(rowsText)
;(async () => {
  const out = createWriteStream(path)
  out.write(header + '\\r\\n')
  const pad = (n) => String(n).padStart(2, '0')
  const intl = ['+3314268', '+4930901', '+1212555', '+35316', '+6129374']
  for (let i = 0; i < rows; i++) {
    const account = 'UKB' + tag + '-' + String(1 + (i % 500)).padStart(3, '0')
    const cli = '+442079' + String(400000 + ((i * 13) % 20000)).padStart(6, '0')
    const k = (i * 7919) % 40000
    const r = k % 20
    const dialled = r < 12 ? '+44161496' + String(k % 10000).padStart(4, '0') : r < 17 ? '+447700900' + String(k % 1000).padStart(3, '0') : intl[k % 5] + String(k % 10000).padStart(4, '0')
    const day = 1 + (i % 31), sec = (i * 7) % 86400
    const date = pad(day) + '/10/2026', time = pad(Math.floor(sec / 3600)) + ':' + pad(Math.floor(sec / 60) % 60) + ':' + pad(sec % 60)
    const t = i % 100
    const type = t < 90 ? 'V' : t < 95 ? 'I' : t < 97 ? 'S' : 'D'
    const duration = type === 'V' || type === 'I' ? (i * 37) % 900 : 0
    const price = i % 2 ? '' : '0.0' + String(100 + (i % 900))
    const f = new Array(42).fill('')
    f[0] = type; f[1] = '0'; f[2] = account; f[3] = type === 'D' ? '' : dialled; f[4] = date; f[5] = time; f[6] = String(duration)
    f[7] = type === 'D' ? String(1000 + i % 5000) : '0'; f[8] = type === 'D' ? String(20000 + i % 90000) : '0'
    f[9] = r < 12 ? 'Manchester' : r < 17 ? 'UK Mobile' : 'International'; f[10] = r < 12 ? 'UKGEO' : r < 17 ? 'UKMOB' : 'INTL'; f[11] = 'Peak'
    f[12] = price; f[13] = price; f[15] = type === 'I' ? dialled : ''; f[25] = type === 'D' ? 'internet' : ''
    f[28] = 'B' + tag + i.toString(36); f[29] = 'GBP'; f[30] = cli
    if (!out.write(f.join(',') + '\\r\\n')) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
})()
`

/** 200k unique prefixes under the country codes the file dials, plus spread ones. */
function prefixes(): string[] {
  const set = new Set<string>(['44', '441', '44161', '447', '447700', '33', '49', '1', '353', '61'])
  // xorshift32 in 32-bit integers (a float LCG loses precision and cycles).
  let seed = 42
  const rnd = () => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) / 4294967296
  }
  const countries = Array.from({ length: 220 }, (_, i) =>
    String(i < 9 ? i + 1 : i < 90 ? 10 + i : 200 + i)
  )
  while (set.size < PREFIXES) {
    let p = countries[Math.floor(rnd() * countries.length)]
    const extra = 1 + Math.floor(rnd() * 6)
    for (let i = 0; i < extra; i++) p += Math.floor(rnd() * 10)
    set.add(p)
  }
  return [...set]
}

async function writeDeck(path: string, list: string[], scale: number) {
  const out = createWriteStream(path)
  out.write(
    'prefix,destination,category,peak,offpeak,weekend,connection,minimum,increments,effective_from\n'
  )
  const fmt = (m: number) => `${Math.floor(m / 1e6)}.${String(m % 1e6).padStart(6, '0')}`
  for (const [i, p] of list.entries()) {
    const base = (10_000 + ((i * 7919) % 500_000)) * scale
    const cat = p.startsWith('447') ? 'mobile' : p.startsWith('44') ? 'national' : 'international'
    if (
      !out.write(
        `${p},Destination ${p},${cat},${fmt(base)},${fmt(Math.floor(base / 2))},${fmt(Math.floor(base / 4))},0.000000,0.000000,60/60,2026-01-01\n`
      )
    )
      await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
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
  await removeLeftovers(db)
  const { default: Connector } = await import('#models/connector')
  const { importDeck } = await import('#rating/tariffs')
  const { UK_CDR_COLUMNS } = await import('#connectors/uk_standard_cdr_parser')

  const tag = Date.now().toString(36).toUpperCase()
  const dir = app.makePath('tmp/bench-ukcdr')
  await mkdir(dir, { recursive: true })
  const file = join(dir, `uk-standard-cdr-${ROWS}.csv`)
  await run$(
    process.execPath,
    ['-e', GENERATOR, file, String(ROWS), UK_CDR_COLUMNS.join(','), tag],
    { maxBuffer: 1024 * 1024 }
  )
  const bytes = (await stat(file)).size
  step('file generated')

  const list = prefixes()
  await writeDeck(join(dir, 'sell.csv'), list, 2)
  await writeDeck(join(dir, 'buy.csv'), list, 1)
  step('decks written')
  const sell = await importDeck({ path: join(dir, 'sell.csv'), tariffName: `Bench sell ${tag}` })
  const buy = await importDeck({
    path: join(dir, 'buy.csv'),
    tariffName: `Bench buy ${tag}`,
    kind: 'buy',
    supplier: 'Bench carrier',
  })
  step('decks imported')
  const customerIds = await makeCustomers(db, tag, sell.tariff_id)
  step('customers, numbers and employees made')
  const connector = await Connector.create({
    name: `Bench UK CDR ${tag}`,
    type: 'uk_standard_cdr',
    transport: 'folder',
    customerId: null,
    settings: { path: dir, buyTariff: `Bench buy ${tag}` },
    enabled: false,
  })

  const root = app.makePath()
  if (process.env.BENCH_SKIP_BUILD !== '1')
    await run$(process.execPath, ['ace', 'build', '--ignore-ts-errors'], {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    })
  step('built')
  const load = (await import('node:os')).loadavg().map((l) => Number(l.toFixed(2)))
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the measured child, for finding where the time goes.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', '--cpu-prof-dir', resolve(process.env.BENCH_CPU_PROF)]
    : []
  // BENCH_CHILD_FLAGS: more node flags for the measured child (e.g. --trace-gc, to see its live heap).
  const childFlags = process.env.BENCH_CHILD_FLAGS?.split(' ').filter(Boolean) ?? []
  const childArgs = [
    ...profile,
    ...childFlags,
    join(root, 'build/bench/ukcdr_child.js'),
    file,
    String(connector.id),
    String(sell.tariff_id),
    RERATE ? '1' : '0',
  ]
  const child = await run$(process.execPath, childArgs, {
    cwd: root,
    env: process.env,
    maxBuffer: 16 * 1024 * 1024,
  })
  if (process.env.BENCH_CHILD_LOG)
    await writeFile(process.env.BENCH_CHILD_LOG, child.stdout + child.stderr)
  const m = JSON.parse(
    child.stdout
      .trim()
      .split('\n')
      .findLast((l) => l.startsWith('{'))!
  )
  if (m.status !== 'completed') throw new Error(`the import did not complete: ${m.error}`)
  const costed = await db
    .from('usage_records')
    .where('import_id', m.import_id)
    .select(
      db.raw("SUM(cost_origin = 'deck') AS deck"),
      db.raw("SUM(cost_origin = 'supplier') AS supplier"),
      db.raw("SUM(rating_status = 'rated') AS rated"),
      db.raw('SUM(employee_id IS NOT NULL) AS mapped'),
      db.raw('COUNT(DISTINCT customer_id) AS customers')
    )

  step('pipeline done')
  const bare = await bareLoadData(db, m.import_id, dir)
  const loadAfter = (await import('node:os')).loadavg().map((l) => Number(l.toFixed(2)))

  const figures = {
    rows: ROWS,
    file_mb: Math.round(bytes / 1024 / 1024),
    load_average_before: load,
    load_average_after: loadAfter,
    routing: `reseller-wide: ${Number(costed[0].customers)} customers by Customer Identifier`,
    read: m.read,
    imported: m.imported,
    rejected: m.rejected,
    internal: m.internal,
    mapped_to_employees: Number(costed[0].mapped),
    cost_from_buy_deck: Number(costed[0].deck),
    cost_from_supplier: Number(costed[0].supplier),
    rated: Number(costed[0].rated),
    end_to_end_seconds: round(m.import_seconds),
    end_to_end_records_per_s: Math.round(m.read / m.import_seconds),
    peak_rss_mb: Math.round(m.import_peak_rss / 1024 / 1024),
    // The booted app before the import (framework, models, connection pool): the pipeline's own share is the rest.
    booted_rss_mb: Math.round(m.baseline_rss / 1024 / 1024),
    import_peak_heap_total_mb: Math.round(m.import_peaks.heapTotal / 1024 / 1024),
    import_peak_heap_used_mb: Math.round(m.import_peaks.heapUsed / 1024 / 1024),
    import_peak_array_buffers_mb: Math.round(m.import_peaks.arrayBuffers / 1024 / 1024),
    parse_only_seconds: round(m.parse_seconds),
    parse_only_records_per_s: Math.round(m.read / m.parse_seconds),
    rerate: m.rerate,
    peak_rss_with_rerate_mb: Math.round(m.peak_rss / 1024 / 1024),
    bare_load_data_seconds: round(bare.seconds),
    bare_load_data_records_per_s: Math.round(bare.rows / bare.seconds),
    ratio_end_to_end_vs_bare: Number((bare.seconds / m.import_seconds).toFixed(3)),
    targets: {
      records_per_s: 100_000,
      peak_rss_mb: 300,
      ratio: 0.6,
      rerate_records_per_s: 100_000,
    },
  }
  process.stderr.write(JSON.stringify(figures) + '\n')
  // Leave the bench database as it was (not timed); a failure here must not lose the figures.
  try {
    await removeRun(db, {
      customerIds,
      tariffIds: [sell.tariff_id, buy.tariff_id],
      connectorIds: [connector.id],
    })
    await rm(dir, { recursive: true, force: true })
  } catch (error) {
    process.stderr.write(`ukcdr bench: clean-up failed: ${(error as Error).message}\n`)
  }
  return figures
}

interface BenchRun {
  customerIds: number[]
  tariffIds: number[]
  connectorIds: number[]
}

/** Deletes what a run made: its records and rollups, customers, connector and decks. */
async function removeRun(db: any, made: BenchRun) {
  if (made.customerIds.length) {
    for (const table of [
      'usage_records',
      'monthly_rollups',
      'destination_rollups',
      'recurring_rollups',
    ]) {
      const ids = made.customerIds.join(',')
      while (
        Number(
          (
            (await db.rawQuery(
              `DELETE FROM ${table} WHERE customer_id IN (${ids}) LIMIT 50000`
            )) as any
          )?.[0]?.affectedRows
        )
      ) {}
    }
    await db.rawQuery(
      `DELETE FROM rerate_changes WHERE rerate_id IN (SELECT id FROM rerates WHERE customer_id IN (${made.customerIds.join(',')}))`
    )
    await db.from('rerates').whereIn('customer_id', made.customerIds).delete()
  }
  await db.from('imports').whereIn('connector_id', made.connectorIds).delete()
  await db.from('connectors').whereIn('id', made.connectorIds).delete()
  await db.from('customer_tariffs').whereIn('customer_id', made.customerIds).delete()
  await db.from('customers').whereIn('id', made.customerIds).delete()
  for (const id of made.tariffIds) {
    await db.from('rates').where('tariff_id', id).delete()
    await db.from('tariffs').where('id', id).delete()
  }
}

/**
 * What an earlier run left when it was stopped before its clean-up: its customers would be
 * loaded with this run's (their decks too), and the figures would not be this run's.
 */
async function removeLeftovers(db: any) {
  const customers = await db
    .from('customers')
    .where('name', 'like', 'Bench customer % %')
    .where('account_number', 'like', 'UKB%')
    .select('id')
  const tariffs = await db
    .from('tariffs')
    .where((q: any) =>
      q.where('name', 'like', 'Bench sell %').orWhere('name', 'like', 'Bench buy %')
    )
    .select('id')
  const connectors = await db
    .from('connectors')
    .where('name', 'like', 'Bench UK CDR %')
    .select('id')
  const ids = (rows: { id: number }[]) => rows.map((r) => Number(r.id))
  await removeRun(db, {
    customerIds: ids(customers),
    tariffIds: ids(tariffs),
    connectorIds: ids(connectors),
  })
}

/**
 * 500 customers on the sell deck, each with 40 of the file's 20,000 numbers as services held
 * by an employee (one department per customer). Record i is account i mod 500 and number
 * (13 i) mod 20,000, so number k belongs to customer 77 k mod 500 (13 × 77 ≡ 1 mod 500).
 */
async function makeCustomers(db: any, tag: string, tariffId: number): Promise<number[]> {
  const { normaliseNumber } = await import('#lib/identifiers')
  const { default: Customer } = await import('#models/customer')
  const stamp = '2026-01-01 00:00:00'
  const ids: number[] = []
  for (let c = 1; c <= CUSTOMERS; c++) {
    const customer = await Customer.create({
      accountNumber: `UKB${tag}-${String(c).padStart(3, '0')}`,
      name: `Bench customer ${c} ${tag}`,
      timeZone: 'Europe/London',
      currency: 'GBP',
      taxRateBp: 2000,
      paymentTermsDays: 30,
      billDay: 1,
      recurringBilling: 'advance',
      itemiseCalls: false,
      miAddon: false,
    })
    ids.push(customer.id)
  }
  await db.table('customer_tariffs').multiInsert(
    ids.map((id) => ({
      customer_id: id,
      tariff_id: tariffId,
      starts_on: '2026-01-01',
      ends_on: null,
      created_at: stamp,
      updated_at: stamp,
    }))
  )
  const departments = new Map<number, number>()
  for (const id of ids) {
    const [d] = await db
      .table('departments')
      .insert({ customer_id: id, name: 'Sales', created_at: stamp, updated_at: stamp })
    departments.set(id, Number(d))
  }
  for (let from = 0; from < NUMBERS; from += 2000) {
    const batch = Array.from({ length: Math.min(2000, NUMBERS - from) }, (_, j) => from + j)
    const ownerOf = (k: number) => ids[(77 * k) % CUSTOMERS]
    const numberOf = (k: number) =>
      normaliseNumber('+442079' + String(400000 + k).padStart(6, '0'))!
    await db.table('services').multiInsert(
      batch.map((k) => ({
        customer_id: ownerOf(k),
        kind: 'ddi',
        identifier: numberOf(k),
        created_at: stamp,
        updated_at: stamp,
      }))
    )
    await db.table('employees').multiInsert(
      batch.map((k) => ({
        customer_id: ownerOf(k),
        department_id: departments.get(ownerOf(k)),
        name: `Employee ${k}`,
        employee_number: `E${k}`,
        created_at: stamp,
        updated_at: stamp,
      }))
    )
    const services = await db
      .from('services')
      .whereIn('customer_id', ids)
      .whereIn('identifier', batch.map(numberOf))
      .select('id', 'customer_id', 'identifier')
    const employees = await db
      .from('employees')
      .whereIn('customer_id', ids)
      .whereIn(
        'employee_number',
        batch.map((k) => `E${k}`)
      )
      .select('id', 'customer_id', 'employee_number')
    const employeeOf = new Map(
      employees.map((e: any) => [`${e.customer_id}|${e.employee_number}`, Number(e.id)])
    )
    const k0 = new Map(batch.map((k) => [numberOf(k), k]))
    await db.table('assignments').multiInsert(
      services.map((s: any) => ({
        service_id: Number(s.id),
        employee_id: employeeOf.get(`${s.customer_id}|E${k0.get(s.identifier)}`),
        starts_at: stamp,
        ends_at: null,
        created_at: stamp,
        updated_at: stamp,
      }))
    )
  }
  return ids
}

const round = (s: number) => Number(s.toFixed(2))

const FINAL_COLUMNS = [
  'customer_id',
  'source',
  'dedupe_key',
  'import_id',
  'service_id',
  'employee_id',
  'department_id',
  'identifier',
  'occurred_at',
  'period',
  'category',
  'destination',
  'destination_name',
  'duration_s',
  'volume_bytes',
  'quantity',
  'description',
  'cost_e4',
  'price_e4',
  'tariff_id',
  'rate_id',
  'allowance_used',
  'rating_status',
  'unrated_reason',
  'charge_code',
  'time_band',
  'cost_origin',
]

/**
 * The final rows of the import (as the pipeline left them) written to a TSV (not timed), deleted,
 * and put back with one streamed LOAD DATA LOCAL into usage_records (timed): the floor a
 * pipeline writing the same rows into the same table, with its indexes, cannot beat.
 */
async function bareLoadData(db: any, importId: number, dir: string) {
  const tsv = join(dir, 'final.tsv')
  const out = createWriteStream(tsv)
  const esc = (v: unknown) =>
    v === null || v === undefined
      ? '\\N'
      : v instanceof Date
        ? v.toISOString().slice(0, 19).replace('T', ' ')
        : String(v).replace(/[\\\t\n]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\\\'))
  let rows = 0
  let lastId = 0
  while (true) {
    const batch = await db
      .from('usage_records')
      .where('import_id', importId)
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(50_000)
      .select('id', ...FINAL_COLUMNS)
    if (batch.length === 0) break
    for (const r of batch) {
      if (!out.write(FINAL_COLUMNS.map((c) => esc(r[c])).join('\t') + '\n'))
        await once(out, 'drain')
    }
    rows += batch.length
    lastId = Number(batch[batch.length - 1].id)
  }
  out.end()
  await once(out, 'finish')
  while (
    Number(
      (
        (await db.rawQuery('DELETE FROM usage_records WHERE import_id = ? LIMIT 50000', [
          importId,
        ])) as any
      )?.[0]?.affectedRows
    )
  ) {}
  const mysql = (await import('mysql2')).default
  const { createReadStream } = await import('node:fs')
  const connection = mysql.createConnection({
    host: process.env.DB_HOST || '127.0.0.1',
    port: Number(process.env.DB_PORT || 3306),
    user: process.env.DB_USER || 'root',
    password: process.env.DB_PASSWORD || '',
    database: process.env.DB_DATABASE,
    timezone: 'Z',
  })
  const sql = `LOAD DATA LOCAL INFILE 'final.tsv' INTO TABLE usage_records CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${FINAL_COLUMNS.join(', ')})`
  const started = process.hrtime.bigint()
  await new Promise<void>((res, rej) =>
    connection.query(
      { sql, infileStreamFactory: () => createReadStream(tsv) } as any,
      (e: unknown) => (e ? rej(e) : res())
    )
  )
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  connection.end()
  await writeFile(tsv, '')
  return { rows, seconds }
}
