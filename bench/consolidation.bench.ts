/*
 * Consolidation benchmarks (BENCH_ONLY=consolidation npm run bench):
 * CONSOLIDATION_BENCH_RECORDS usage records (default 1,000,000) over three months for one customer,
 * 4,000 services (a tenth of them moving mid-month) and 1,000 unknown identifiers; then
 *  - mapUsage over the whole customer and over one month (set-based UPDATE),
 *  - mapUsage of one identifier (what assigning one unallocated number costs),
 *  - refreshRollups for one month and rebuildRollups for everything,
 *  - the unallocated queue query.
 * MySQL/MariaDB by default (database tollgate_bench_consolidation); CONSOLIDATION_BENCH_DB=sqlite
 * uses tmp/bench-consolidation.sqlite3.
 */
import { bootApp } from './boot_app.js'
import { createMysqlDatabase, migrate } from './bench_database.js'
import { seededRandom } from '#lib/seeded_random'

const RECORDS = Number(process.env.CONSOLIDATION_BENCH_RECORDS ?? 1_000_000)
const SERVICES = 4000
const UNKNOWN = 1000
const PERIODS = ['2026-01', '2026-02', '2026-03']

const ms = (start: bigint) => Math.round(Number(process.hrtime.bigint() - start) / 1e6)

export async function run() {
  const sqlite = process.env.CONSOLIDATION_BENCH_DB === 'sqlite'
  if (sqlite) {
    process.env.DB_CONNECTION = 'sqlite'
    process.env.SQLITE_PATH = 'tmp/bench-consolidation.sqlite3'
  } else {
    process.env.DB_CONNECTION = 'mysql'
    process.env.DB_DATABASE = 'tollgate_bench_consolidation'
    await createMysqlDatabase('tollgate_bench_consolidation')
  }
  const app = await bootApp()
  const db = (await import('@adonisjs/lucid/services/db')).default
  await migrate(app, { dropFirst: true })
  const { mapUsage } = await import('#consolidation/map_usage')
  const { refreshRollups, rebuildRollups } = await import('#consolidation/rollups')
  const { unallocatedIdentifiers } = await import('#consolidation/unallocated')

  const now = '2026-01-01 00:00:00'
  const [customerId] = await db
    .table('customers')
    .insert({ account_number: 'BENCH', name: 'Bench Ltd', created_at: now, updated_at: now })
  const deptIds: number[] = []
  for (let d = 0; d < 20; d++) {
    const [id] = await db
      .table('departments')
      .insert({ customer_id: customerId, name: `Dept ${d}`, created_at: now, updated_at: now })
    deptIds.push(Number(id))
  }
  const employees = Array.from({ length: SERVICES }, (_, i) => ({
    customer_id: customerId,
    department_id: deptIds[i % 20],
    name: `Employee ${i}`,
    active: true,
    created_at: now,
    updated_at: now,
  }))
  const chunk = sqlite ? 400 : 1000
  for (let i = 0; i < employees.length; i += chunk)
    await db.table('employees').multiInsert(employees.slice(i, i + chunk))
  const employeeIds = (
    await db.from('employees').where('customer_id', customerId).orderBy('id').select('id')
  ).map((r) => Number(r.id))
  const identifiers = Array.from({ length: SERVICES }, (_, i) => `+447700${String(100000 + i)}`)
  const services = identifiers.map((identifier) => ({
    customer_id: customerId,
    kind: 'mobile',
    identifier,
    created_at: now,
    updated_at: now,
  }))
  for (let i = 0; i < services.length; i += chunk)
    await db.table('services').multiInsert(services.slice(i, i + chunk))
  const serviceIds = (
    await db.from('services').where('customer_id', customerId).orderBy('id').select('id')
  ).map((r) => Number(r.id))
  const assignments: any[] = []
  serviceIds.forEach((serviceId, i) => {
    if (i % 10 === 0) {
      assignments.push({
        service_id: serviceId,
        employee_id: employeeIds[i],
        starts_at: '2026-01-01 00:00:00',
        ends_at: '2026-02-16 00:00:00',
        created_at: now,
        updated_at: now,
      })
      assignments.push({
        service_id: serviceId,
        employee_id: employeeIds[(i + 1) % SERVICES],
        starts_at: '2026-02-16 00:00:00',
        ends_at: null,
        created_at: now,
        updated_at: now,
      })
    } else {
      assignments.push({
        service_id: serviceId,
        employee_id: employeeIds[i],
        starts_at: '2026-01-01 00:00:00',
        ends_at: null,
        created_at: now,
        updated_at: now,
      })
    }
  })
  for (let i = 0; i < assignments.length; i += chunk)
    await db.table('assignments').multiInsert(assignments.slice(i, i + chunk))

  const rnd = seededRandom(11).next
  const allIdentifiers = [
    ...identifiers,
    ...Array.from({ length: UNKNOWN }, (_, i) => `+447900${String(100000 + i)}`),
  ]
  let t = process.hrtime.bigint()
  const batch = sqlite ? 400 : 5000
  for (let i = 0; i < RECORDS; i += batch) {
    const rows = []
    for (let j = i; j < Math.min(RECORDS, i + batch); j++) {
      const p = j % 3
      const day = 1 + Math.floor(rnd() * 28)
      rows.push({
        customer_id: customerId,
        source: 'bench',
        dedupe_key: String(j),
        identifier: allIdentifiers[Math.floor(rnd() * allIdentifiers.length)],
        occurred_at: `${PERIODS[p]}-${String(day).padStart(2, '0')} ${String(Math.floor(rnd() * 24)).padStart(2, '0')}:00:00`,
        period: PERIODS[p],
        category: j % 5 === 0 ? 'data' : 'call_mobile',
        duration_s: Math.floor(rnd() * 600),
        volume_bytes: j % 5 === 0 ? Math.floor(rnd() * 10_000_000) : 0,
        cost_e4: Math.floor(rnd() * 5000),
        price_e4: Math.floor(rnd() * 8000),
        rating_status: 'rated',
      })
    }
    await db.table('usage_records').multiInsert(rows)
  }
  const insertMs = ms(t)

  t = process.hrtime.bigint()
  const all = await mapUsage({ customerId })
  const mapAllMs = ms(t)
  t = process.hrtime.bigint()
  const month = await mapUsage({ customerId, period: '2026-02' })
  const mapMonthMs = ms(t)
  t = process.hrtime.bigint()
  const one = await mapUsage({ customerId, identifier: allIdentifiers[5] })
  const mapIdentifierMs = ms(t)
  t = process.hrtime.bigint()
  await refreshRollups(customerId, ['2026-02'])
  const refreshMonthMs = ms(t)
  t = process.hrtime.bigint()
  const rebuilt = await rebuildRollups()
  const rebuildMs = ms(t)
  t = process.hrtime.bigint()
  const queue = await unallocatedIdentifiers(customerId, { limit: 1000 })
  const queueMs = ms(t)

  const figures = {
    driver: sqlite ? 'sqlite' : 'mysql',
    records: RECORDS,
    services: SERVICES,
    unknownIdentifiers: UNKNOWN,
    insertMs,
    mapAll: { ...all, ms: mapAllMs, recordsPerSecond: Math.round(RECORDS / (mapAllMs / 1000)) },
    mapOneMonth: { ...month, ms: mapMonthMs },
    mapOneIdentifier: { ...one, ms: mapIdentifierMs },
    refreshRollupsOneMonthMs: refreshMonthMs,
    rebuildRollups: { ...rebuilt, ms: rebuildMs },
    unallocatedQueue: { identifiers: queue.length, ms: queueMs },
  }
  await db.manager.closeAll()
  return figures
}
