/*
 * Insights bench: seeds MariaDB database `tollgate_bench_insights` (created if missing, migrated)
 * with rollups (usage, and recurring charges: a licence per employee, line rental for a third, the MI
 * add-on) for 24 months × 500 employees of one customer (plus two more customers of the same
 * size, so the table is not the customer alone), starts the app's HTTP server on a free port, logs in
 * through /login with a session cookie, and times the insights dashboard (Inertia JSON) of one
 * customer: 300 requests, 10 at a time. Seeding is skipped when the database already holds this seed.
 */
import { createServer } from 'node:net'
import { createMysqlDatabase, migrate } from './bench_database.js'

const DATABASE = process.env.BENCH_INSIGHTS_DB || 'tollgate_bench_insights'
const SEED_VERSION = 'insights-v2'
const MONTHS = 24
const EMPLOYEES = 500
const DEPARTMENTS = 20
const CUSTOMERS = 3
const CATEGORIES = [
  'calls_uk',
  'calls_mobile',
  'calls_international',
  'mobile_data',
  'sms',
  'roaming_data',
]
const RECORDS_LAST_MONTH = 50_000
const REQUESTS = 300
const CONCURRENCY = 10

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as any).port
      srv.close(() => resolve(port))
    })
  })
}

function period(i: number) {
  // 24 months ending 2026-10
  const index = 2026 * 12 + 9 - (MONTHS - 1) + i
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}

/** Deterministic pseudo-random numbers. */
function rng(start: number) {
  let s = start >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

async function seed(db: any) {
  const marker = await db.from('settings').where('key', 'bench.insights.seed').first()
  if (marker?.value === SEED_VERSION) return { seeded: false }
  const started = Date.now()
  for (const t of [
    'usage_records',
    'monthly_rollups',
    'recurring_rollups',
    'assignments',
    'services',
    'employees',
    'departments',
    'users',
    'customers',
  ]) {
    await db.rawQuery('SET FOREIGN_KEY_CHECKS = 0')
    await db.rawQuery(`TRUNCATE TABLE ${t}`)
    await db.rawQuery('SET FOREIGN_KEY_CHECKS = 1')
  }
  const now = '2026-11-01 00:00:00'
  const random = rng(42)
  let rollupRows = 0
  for (let c = 1; c <= CUSTOMERS; c++) {
    const [customerId] = await db.table('customers').insert({
      account_number: `BENCH-${c}`,
      name: `Bench Customer ${c}`,
      mi_addon: true,
      created_at: now,
    })
    const departments = Array.from({ length: DEPARTMENTS }, (_, d) => ({
      customer_id: customerId,
      name: `Department ${d + 1}`,
      created_at: now,
    }))
    await db.table('departments').multiInsert(departments)
    const deptIds = (
      await db.from('departments').where('customer_id', customerId).orderBy('id').select('id')
    ).map((r: any) => Number(r.id))
    const employees = Array.from({ length: EMPLOYEES }, (_, e) => ({
      customer_id: customerId,
      department_id: deptIds[e % DEPARTMENTS],
      name: `Employee ${c}-${String(e + 1).padStart(3, '0')}`,
      employee_number: `E${e + 1}`,
      active: true,
      created_at: now,
    }))
    await db.table('employees').multiInsert(employees)
    const emps = (
      await db
        .from('employees')
        .where('customer_id', customerId)
        .orderBy('id')
        .select('id', 'department_id')
    ).map((r: any) => ({ id: Number(r.id), dept: Number(r.department_id) }))
    await db.table('services').multiInsert(
      emps.map((_e: unknown, i: number) => ({
        customer_id: customerId,
        kind: 'mobile',
        identifier: `+44770${c}${String(i).padStart(6, '0')}`,
        created_at: now,
      }))
    )
    const services = (
      await db.from('services').where('customer_id', customerId).orderBy('id').select('id')
    ).map((r: any) => Number(r.id))

    let batch: any[] = []
    const flush = async () => {
      if (batch.length) await db.table('monthly_rollups').multiInsert(batch)
      rollupRows += batch.length
      batch = []
    }
    for (let m = 0; m < MONTHS; m++) {
      for (let e = 0; e < EMPLOYEES; e++) {
        for (const category of CATEGORIES) {
          if (category === 'roaming_data' && random() > 0.15) continue
          const price = Math.round(random() * 40 * 10_000)
          batch.push({
            customer_id: customerId,
            period: period(m),
            department_id: emps[e].dept,
            employee_id: emps[e].id,
            service_id: services[e],
            category,
            record_count: 1 + Math.floor(random() * 150),
            duration_s: Math.floor(random() * 20_000),
            volume_bytes: category.includes('data') ? Math.floor(random() * 5e9) : 0,
            cost_e4: Math.round(price * 0.6),
            price_e4: price,
          })
          if (batch.length >= 2000) await flush()
        }
      }
    }
    await flush()

    // Recurring charges as the insights read them: a licence per employee every month, line rental
    // for one in three, and the MI add-on (nobody's) — what the dashboard adds to the usage.
    let recurringBatch: any[] = []
    for (let m = 0; m < MONTHS; m++) {
      for (let e = 0; e < EMPLOYEES; e++) {
        const base = {
          customer_id: customerId,
          period: period(m),
          department_id: emps[e].dept,
          employee_id: emps[e].id,
          service_id: services[e],
          charge_count: 1,
        }
        recurringBatch.push({ ...base, category: 'licence', cost_e4: 150_000, price_e4: 200_000 })
        if (e % 3 === 0)
          recurringBatch.push({
            ...base,
            category: 'line_rental',
            cost_e4: 60_000,
            price_e4: 100_000,
          })
        if (recurringBatch.length >= 2000) {
          await db.table('recurring_rollups').multiInsert(recurringBatch)
          recurringBatch = []
        }
      }
      recurringBatch.push({
        customer_id: customerId,
        period: period(m),
        department_id: 0,
        employee_id: 0,
        service_id: 0,
        category: 'mi_addon',
        charge_count: 1,
        cost_e4: 0,
        price_e4: 500_000,
      })
    }
    if (recurringBatch.length) await db.table('recurring_rollups').multiInsert(recurringBatch)

    if (c === 1) {
      // Records for the drill-down, sparser than production: the last month of customer 1 only.
      let records: any[] = []
      for (let i = 0; i < RECORDS_LAST_MONTH; i++) {
        const e = i % EMPLOYEES
        records.push({
          customer_id: customerId,
          source: 'bench',
          dedupe_key: `b-${i}`,
          service_id: services[e],
          employee_id: emps[e].id,
          department_id: emps[e].dept,
          identifier: `+44770${c}${String(e).padStart(6, '0')}`,
          occurred_at: `${period(MONTHS - 1)}-${String(1 + (i % 28)).padStart(2, '0')} 10:00:00`,
          period: period(MONTHS - 1),
          category: CATEGORIES[i % 5],
          destination: '+4420',
          destination_name: 'London',
          duration_s: 60 + (i % 600),
          price_e4: 500 + (i % 3000),
          cost_e4: 300,
          rating_status: 'rated',
        })
        if (records.length >= 2000) {
          await db.table('usage_records').multiInsert(records)
          records = []
        }
      }
      if (records.length) await db.table('usage_records').multiInsert(records)
    }
  }
  await db
    .knexQuery()
    .table('settings')
    .insert({ key: 'bench.insights.seed', value: SEED_VERSION })
    .onConflict('key')
    .merge()
  await db.rawQuery('ANALYZE TABLE monthly_rollups')
  await db.rawQuery('ANALYZE TABLE recurring_rollups')
  return {
    seeded: true,
    seed_seconds: Math.round((Date.now() - started) / 100) / 10,
    rollup_rows: rollupRows,
  }
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

function cookieJar() {
  const jar = new Map<string, string>()
  return {
    take(res: Response) {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';')
        const i = pair.indexOf('=')
        jar.set(pair.slice(0, i), pair.slice(i + 1))
      }
    },
    get: (name: string) => jar.get(name),
    header: () => [...jar.entries()].map(([k, v]) => `${k}=${v}`).join('; '),
  }
}

/**
 * The load generator runs in a worker thread, so the client's own work does not share the server's
 * event loop; the main thread's event-loop busy time per request is reported as server_ms_per_request.
 */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads')
const { url, headers, concurrency, count } = workerData
;(async () => {
  const times = []
  const bodies = []
  let next = 0
  const worker = async () => {
    while (next < count) {
      next++
      const t0 = performance.now()
      const res = await fetch(url, { headers })
      const text = await res.text()
      times.push(performance.now() - t0)
      if (res.status !== 200) throw new Error(url + ' answered ' + res.status)
      if (bodies.length < 3) bodies.push(text)
    }
  }
  const wall0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  parentPort.postMessage({ times, wall: performance.now() - wall0, bodies })
})().catch((e) => parentPort.postMessage({ error: String(e) }))
`

async function timeRequests(
  url: string,
  headers: Record<string, string>,
  check: (body: any) => void,
  concurrency = CONCURRENCY,
  count = REQUESTS
) {
  const { Worker } = await import('node:worker_threads')
  const elu0 = performance.eventLoopUtilization()
  const result: any = await new Promise((resolve, reject) => {
    const w = new Worker(CLIENT, { eval: true, workerData: { url, headers, concurrency, count } })
    w.once('message', resolve)
    w.once('error', reject)
  })
  const elu = performance.eventLoopUtilization(elu0)
  if (result.error) throw new Error(result.error)
  for (const b of result.bodies) check(JSON.parse(b))
  const times: number[] = result.times.sort((a: number, b: number) => a - b)
  const r = (n: number) => Math.round(n * 10) / 10
  return {
    requests: times.length,
    concurrency,
    p50_ms: r(percentile(times, 50)),
    p95_ms: r(percentile(times, 95)),
    max_ms: r(times[times.length - 1]),
    req_per_s: r((times.length / result.wall) * 1000),
    server_ms_per_request: r(elu.active / times.length),
  }
}

export async function run() {
  process.env.DB_CONNECTION = 'mysql'
  process.env.DB_DATABASE = DATABASE
  process.env.PORT = String(await freePort())
  process.env.HOST = '127.0.0.1'
  process.env.LOG_LEVEL = 'error'
  await createMysqlDatabase(DATABASE)

  const { bootApp } = await import('./boot_app.js')
  const app = await bootApp()
  const { default: db } = await import('@adonisjs/lucid/services/db')
  await migrate(app)

  const seeding = await seed(db)
  const { default: User } = await import('#models/user')
  const email = 'bench-insights@reseller.example'
  const password = 'bench-password-123'
  const existing = await User.findBy('email', email)
  if (existing) {
    existing.password = password
    await existing.save()
  } else await User.create({ email, password, role: 'viewer', fullName: 'Bench', customerId: null })
  const customer = await db.from('customers').where('account_number', 'BENCH-1').first()
  const rollupRows = Number(
    (await db.from('monthly_rollups').where('customer_id', customer.id).count('* as n'))[0].n
  )
  const recurringRollupRows = Number(
    (await db.from('recurring_rollups').where('customer_id', customer.id).count('* as n'))[0].n
  )
  const recordRows = Number(
    (await db.from('usage_records').where('customer_id', customer.id).count('* as n'))[0].n
  )

  const { default: testUtils } = await import('@adonisjs/core/services/test_utils')
  const close = await testUtils.httpServer().start()
  const base = `http://127.0.0.1:${process.env.PORT}`
  try {
    // Log in like a browser: the login form's cookies, then the XSRF token back as a header.
    const jar = cookieJar()
    jar.take(await fetch(`${base}/login`, { redirect: 'manual' }))
    const xsrf = decodeURIComponent(jar.get('XSRF-TOKEN') ?? '')
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Cookie': jar.header(),
        'X-XSRF-TOKEN': xsrf,
      },
      body: new URLSearchParams({ email, password }).toString(),
    })
    jar.take(login)
    if (login.status !== 302 || login.headers.get('location') !== '/')
      throw new Error(`login failed: ${login.status} ${login.headers.get('location')}`)

    const { createHash } = await import('node:crypto')
    const { readFile } = await import('node:fs/promises')
    let version = '1'
    try {
      version = createHash('md5')
        .update(await readFile(app.makePath('public/assets/.vite/manifest.json'), 'utf-8'))
        .digest('hex')
    } catch {}
    const headers = {
      'Cookie': jar.header(),
      'X-Inertia': 'true',
      'X-Inertia-Version': version,
      'Accept': 'application/json',
    }
    const from = period(0)
    const to = period(MONTHS - 1)
    const url = `${base}/customers/${customer.id}/insights?from=${from}&to=${to}`
    // Warm-up (connection pool, JIT, buffer pool).
    let payloadBytes = 0
    for (let i = 0; i < 10; i++)
      payloadBytes = (await (await fetch(url, { headers })).text()).length
    const dashboard = await timeRequests(url, headers, (body) => {
      if (
        body.props?.data?.totals?.employees !== EMPLOYEES ||
        body.props.data.trend.length !== MONTHS
      )
        throw new Error('unexpected dashboard payload')
    })
    // For scale: the app's cheapest route (/health, JSON, same middleware stack) under the same load.
    const health = await timeRequests(`${base}/health`, headers, () => {})
    // One at a time as well: the cost of a request on its own.
    const sequential = await timeRequests(url, headers, () => {}, 1, 50)
    const employee = await db
      .from('employees')
      .where('customer_id', customer.id)
      .orderBy('id')
      .first()
    const drill = await timeRequests(
      `${base}/customers/${customer.id}/insights/employees/${employee.id}?from=${from}&to=${to}&period=${to}`,
      headers,
      (body) => {
        if (!body.props?.records?.meta?.total) throw new Error('unexpected employee payload')
      }
    )
    // The same computation without the cache (what a cache miss costs), one at a time.
    const { dashboard: computeDashboard } = await import('#insights/queries')
    const misses: number[] = []
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now()
      await computeDashboard(Number(customer.id), { from, to })
      misses.push(performance.now() - t0)
    }
    misses.sort((a, b) => a - b)
    const { cpus, loadavg } = await import('node:os')
    return {
      machine: { cpus: cpus().length, loadavg_1m_at_end: Math.round(loadavg()[0] * 10) / 10 },
      uncached_dashboard_query_sequential: {
        runs: misses.length,
        p50_ms: Math.round(percentile(misses, 50) * 10) / 10,
        p95_ms: Math.round(percentile(misses, 95) * 10) / 10,
      },
      database: `mysql/${DATABASE}`,
      seed: {
        ...seeding,
        customers: CUSTOMERS,
        employees_per_customer: EMPLOYEES,
        months: MONTHS,
        categories: CATEGORIES.length,
        rollup_rows_customer: rollupRows,
        recurring_rollup_rows_customer: recurringRollupRows,
        usage_records_customer: recordRows,
      },
      dashboard_payload_bytes: payloadBytes,
      dashboard_24_months: dashboard,
      dashboard_24_months_one_at_a_time: sequential,
      baseline_health_route: health,
      employee_drilldown: drill,
    }
  } finally {
    await close()
  }
}
