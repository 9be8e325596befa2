import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { monthEndJob, periodDue } from '#jobs/tasks'
import { makeBillingFixture } from './fixtures.js'

function scheduler(extraEnv: Record<string, string>) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['ace', 'scheduler:work', '--once', '--only', 'month_end'],
      {
        cwd: app.makePath(),
        env: { ...process.env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      }
    )
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('exit', (code) => resolve({ code, output }))
  })
}

test.group('Scheduler', (group) => {
  group.each.setup(() => truncateAll())

  test('the bill day decides the period', ({ assert }) => {
    const now = new Date('2026-11-05T12:00:00Z')
    assert.equal(periodDue({ billDay: 1, timeZone: 'Europe/London' }, now), '2026-10')
    assert.equal(periodDue({ billDay: 5, timeZone: 'Europe/London' }, now), '2026-10')
    assert.isNull(periodDue({ billDay: 6, timeZone: 'Europe/London' }, now))
    // bill day 31 in a 30-day month means the last day
    assert.equal(
      periodDue({ billDay: 31, timeZone: 'Europe/London' }, new Date('2026-11-30T12:00:00Z')),
      '2026-10'
    )
    // the customer's time zone: 1 Nov 00:30 in Auckland is still 31 Oct in UTC
    assert.equal(
      periodDue({ billDay: 1, timeZone: 'Pacific/Auckland' }, new Date('2026-10-31T12:00:00Z')),
      '2026-10'
    )
  })

  test('two schedulers started together bill each customer once', async ({ assert }) => {
    const now = new Date()
    const period = periodDue({ billDay: 1, timeZone: 'Europe/London' }, now)!
    const fixtures = []
    for (let i = 0; i < 4; i++)
      fixtures.push(
        await makeBillingFixture({
          period,
          employees: 1,
          recordsPerService: 2,
          unallocatedRecords: 1,
        })
      )
    // A 1 ms tick makes both schedulers run the month-end loop, so the per-customer claims decide.
    const env = { SCHEDULER_MONTH_END_MS: '1', PDF_PAGES: '1' }
    const [a, b] = await Promise.all([scheduler(env), scheduler(env)])
    assert.equal(a.code, 0, a.output)
    assert.equal(b.code, 0, b.output)

    const invoices = await db.from('invoices').where('period', period).select('customer_id')
    assert.sameMembers(
      invoices.map((i) => Number(i.customer_id)),
      fixtures.map((f) => f.customer.id)
    )
    const runs = await db.from('billing_runs').where('period', period)
    assert.lengthOf(runs, 4)
    const claims = await db.from('job_runs').where('job', 'billing_run')
    assert.lengthOf(claims, 4)
    assert.isTrue(claims.every((c) => c.status === 'succeeded'))
    const ticks = await db.from('job_runs').where('job', 'month_end')
    assert.lengthOf(ticks, 2, 'each scheduler recorded its run')

    // and a later tick bills nobody again
    const again = await monthEndJob(new Date(now.getTime() + 3_600_000))
    assert.isTrue(again.claimed)
    assert.lengthOf(await db.from('invoices').where('period', period), 4)
  }).timeout(120_000)
})
