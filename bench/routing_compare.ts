/*
 * Ad-hoc comparison (not part of npm run bench): one Asterisk file of N rows imported for all
 * customers (500 customers, 20,000 numbers; a third routed by accountcode, the rest by number,
 * 1 in 30 of those unknown), the same file for one customer as before, and the first again
 * (all duplicates). EMPTIES THE DATABASE: it refuses to run unless DB_DATABASE names a test or
 * bench database.
 *   DB_DATABASE=tollgate_test_x NODE_ENV=test node --import=ts-node-maintained/register/esm bench/routing_compare.ts 200000
 */
if (!/test|bench/.test(process.env.DB_DATABASE ?? '') && process.env.DB_CONNECTION !== 'sqlite') {
  throw new Error(
    'bench/routing_compare.ts empties the database: set DB_DATABASE to a test or bench database'
  )
}
import { writeFile } from 'node:fs/promises'
import { bootApp } from './boot_app.js'

const ROWS = Number(process.argv[2] ?? 300_000)
const app = await bootApp()
const { default: db } = await import('@adonisjs/lucid/services/db')
const { importFile } = await import('#connectors/import_file')
const { AsteriskParser } = await import('#connectors/asterisk')
const { default: Customer } = await import('#models/customer')
const { truncateAll } = await import('#tests/helpers/migrate')
await truncateAll()
const stamp = '2026-07-01 00:00:00'
const customers = Array.from({ length: 500 }, (_, i) => ({
  account_number: `C${String(i).padStart(4, '0')}`,
  name: `C ${i}`,
  time_zone: i % 7 ? 'Europe/London' : 'America/New_York',
  created_at: stamp,
  updated_at: stamp,
}))
for (let i = 0; i < customers.length; i += 100)
  await db.table('customers').multiInsert(customers.slice(i, i + 100))
const ids = (await db.from('customers').orderBy('id').select('id')).map((r) => Number(r.id))
const services = Array.from({ length: 20_000 }, (_, i) => ({
  customer_id: ids[i % ids.length],
  kind: 'mobile',
  identifier: `+447700${String(i).padStart(6, '0')}`,
  created_at: stamp,
  updated_at: stamp,
}))
for (let i = 0; i < services.length; i += 500)
  await db.table('services').multiInsert(services.slice(i, i + 500))
const lines: string[] = []
for (let i = 0; i < ROWS; i++) {
  const kind = i % 3
  const account = kind === 0 ? `C${String(i % 500).padStart(4, '0')}` : ''
  const src =
    kind === 2 && i % 30 === 2
      ? `07800${String(i % 5000).padStart(6, '0')}`
      : `07700${String(i % 20000).padStart(6, '0')}`
  const t = new Date(Date.UTC(2026, 6, 1) + i * 5000).toISOString().slice(0, 19).replace('T', ' ')
  lines.push(
    [
      account,
      src,
      '02079460000',
      'from-internal',
      `"x" <${src}>`,
      `SIP/${i}`,
      'SIP/trunk',
      'Dial',
      'x',
      t,
      t,
      t,
      '63',
      '60',
      'ANSWERED',
      'DOCUMENTATION',
      '',
      `1751360400.${i}`,
    ].join(',')
  )
}
const path = app.makePath('tmp', 'routing-compare.csv')
await writeFile(path, lines.join('\n') + '\n')
const time = async (label: string, customer: any) => {
  const started = process.hrtime.bigint()
  const s = await importFile({
    path,
    customer,
    format: 'asterisk',
    parser: new AsteriskParser('Europe/London', 'Europe/London'),
    process: false,
    force: true,
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  console.log(
    JSON.stringify({
      label,
      rows: ROWS,
      seconds: +seconds.toFixed(2),
      records_per_s: Math.round(ROWS / seconds),
      imported: s.imported,
      unknown: s.unknown ?? 0,
      customers: Object.keys(s.routed ?? {}).length,
      dialect: db.connection().dialect.name,
    })
  )
}
await time('reseller-wide (routed)', null)
await db.from('usage_records').delete()
await db.from('unknown_usage_records').delete()
await time('one customer (as before)', await Customer.findOrFail(ids[0]))
await time('reseller-wide again: all duplicates', null)
await app.terminate()
