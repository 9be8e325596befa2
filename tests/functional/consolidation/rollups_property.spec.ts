import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeDepartment, makeEmployee, makeService } from '#tests/helpers/factories'
import Employee from '#models/employee'
import Service from '#models/service'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { assignService, endService, localMidnight } from '#consolidation/assignments'
import { refreshRollups, rebuildRollups } from '#consolidation/rollups'
import { insertRecords, rollupsVsRecords } from './_support.js'

/** A small seeded PRNG so a failure can be replayed. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const PERIODS = ['2026-01', '2026-02', '2026-03']
const CATEGORIES = ['call_mobile', 'call_international', 'data', 'sms']

test.group('consolidation: rollups always equal the records they summarise', (group) => {
  group.each.setup(() => truncateAll())

  for (const seed of [7, 42]) {
    test(`random sequence of imports, mapping changes, price changes and deletes (seed ${seed})`, async ({
      assert,
    }) => {
      const rnd = mulberry32(seed)
      const pick = <T>(items: T[]) => items[Math.floor(rnd() * items.length)]
      const int = (n: number) => Math.floor(rnd() * n)
      const customers = [await makeCustomer(), await makeCustomer()]
      const world = await Promise.all(
        customers.map(async (customer) => {
          const depts = [
            await makeDepartment(customer, { name: 'Ops', costCentre: null }),
            await makeDepartment(customer, { name: 'Field', costCentre: null }),
          ]
          const people: Employee[] = []
          for (let i = 0; i < 4; i++) {
            people.push(
              await makeEmployee(customer, {
                departmentId: i === 3 ? null : depts[i % 2].id,
                name: `P${i}`,
                email: null,
                employeeNumber: null,
                active: true,
              })
            )
          }
          const identifiers = Array.from(
            { length: 6 },
            (_, i) => `+4477009${customer.id % 10}${String(i).padStart(4, '0')}`
          )
          const services: Service[] = []
          for (const identifier of identifiers.slice(0, 4))
            services.push(
              await makeService(customer, {
                kind: 'mobile',
                identifier,
                label: null,
              })
            )
          return { customer, depts, people, identifiers, services }
        })
      )
      const kinds: string[] = []
      for (let step = 0; step < 30; step++) {
        const w = pick(world)
        const c = w.customer
        const kind = pick([
          'import',
          'import',
          'assign',
          'end',
          'department',
          'price',
          'delete',
          'bill',
        ])
        kinds.push(kind)
        if (kind === 'import') {
          const period = pick(PERIODS)
          const rows = Array.from({ length: 5 + int(20) }, () => ({
            identifier: pick(w.identifiers),
            occurredAt: `${period}-${String(1 + int(28)).padStart(2, '0')} ${String(int(24)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}:00`,
            category: pick(CATEGORIES),
            durationS: int(600),
            volumeBytes: int(5_000_000),
            costE4: rnd() < 0.1 ? null : int(50_000),
            priceE4: rnd() < 0.1 ? null : int(80_000),
          }))
          await insertRecords(c.id, rows)
          await afterUsageChange(c.id, [period])
        } else if (kind === 'assign' || kind === 'end') {
          const service = pick(w.services)
          const from = localMidnight(
            `${pick(PERIODS)}-${String(1 + int(28)).padStart(2, '0')}`,
            c.timeZone
          )
          await db.transaction(async (trx) => {
            if (kind === 'assign') await assignService(service, pick(w.people), from, { trx })
            else await endService(service, from, { trx })
          })
          await afterUsageChange(c.id, PERIODS)
        } else if (kind === 'department') {
          const person = pick(w.people)
          person.departmentId = rnd() < 0.3 ? null : pick(w.depts).id
          await person.save()
          await afterUsageChange(c.id, PERIODS)
        } else if (kind === 'price') {
          const period = pick(PERIODS)
          await db
            .from('usage_records')
            .where('customer_id', c.id)
            .where('period', period)
            .whereNull('invoice_id')
            .whereRaw('id % 3 = ?', [int(3)])
            .update({ price_e4: int(90_000), cost_e4: int(60_000) })
          await refreshRollups(c.id, [period])
        } else if (kind === 'delete') {
          const ids = (
            await db
              .from('usage_records')
              .where('customer_id', c.id)
              .whereNull('invoice_id')
              .select('id', 'period')
          ).filter(() => rnd() < 0.2)
          if (ids.length) {
            await db
              .from('usage_records')
              .whereIn(
                'id',
                ids.map((r) => r.id)
              )
              .delete()
            await refreshRollups(
              c.id,
              ids.map((r) => String(r.period))
            )
          }
        } else {
          // Billing freezes a period's records: later mapping changes must leave them (and their rollup) alone.
          const period = pick(PERIODS)
          await db
            .from('usage_records')
            .where('customer_id', c.id)
            .where('period', period)
            .whereNull('invoice_id')
            .update({ invoice_id: 1000 + step })
          await refreshRollups(c.id, [period])
        }
        const { stored, expected } = await rollupsVsRecords()
        assert.deepEqual(stored, expected, `after step ${step} (${kind}) of seed ${seed}`)
      }
      assert.includeMembers(kinds, ['import', 'assign', 'price', 'delete'])
      const total = await db.from('usage_records').count('* as n')
      assert.isAbove(Number(total[0].n), 50)
      // A rebuild from scratch gives the very same rows.
      const before = (await rollupsVsRecords()).stored
      await db.from('monthly_rollups').delete()
      await rebuildRollups()
      assert.deepEqual((await rollupsVsRecords()).stored, before)
    })
  }

  test('concurrent refreshes of the same months leave exactly one correct set of rollups', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const rows = Array.from({ length: 300 }, (_, i) => ({
      identifier: `+4477009${String(i % 7).padStart(5, '0')}`,
      occurredAt: `${PERIODS[i % 3]}-${String(1 + (i % 28)).padStart(2, '0')} 10:00:00`,
      category: CATEGORIES[i % 4],
      costE4: i,
    }))
    await insertRecords(customer.id, rows)
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        refreshRollups(customer.id, i % 2 ? PERIODS : [PERIODS[i % 3]])
      )
    )
    const { stored, expected } = await rollupsVsRecords()
    assert.deepEqual(stored, expected)
    assert.isAbove(stored.length, 10)
  })
})
