import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { ace } from '#tests/helpers/ace_process'
import { periodDue } from '#jobs/tasks'
import { runOnce } from '#lib/job_claims'
import { sqlTime } from '#lib/db_helpers'
import { setSettings } from '#billing/settings'
import { makeBillingFixture } from '../billing/fixtures.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function untilLeaseExpired(runKey: string) {
  for (let i = 0; i < 100; i++) {
    const row = await db.from('job_runs').where('run_key', runKey).first()
    if (!row || new Date(`${sqlTime(new Date(row.lease_until))}Z`).getTime() < Date.now() - 200)
      return
    await sleep(200)
  }
}

test.group('Crash recovery: scheduler claims carry a lease', (group) => {
  group.each.setup(() => truncateAll())
  group.each.teardown(() => {
    delete process.env.JOB_LEASE_MS
  })

  test('a live claim is left alone; a claim whose lease ran out is abandoned and taken over', async ({
    assert,
  }) => {
    const past = sqlTime(new Date(Date.now() - 60_000))
    const future = sqlTime(new Date(Date.now() + 60_000))
    await db.table('job_runs').insert({
      job: 'billing_run',
      run_key: 'unit:live',
      status: 'running',
      worker: 'other:1:0',
      started_at: past,
      lease_until: future,
    })
    await db.table('job_runs').insert({
      job: 'billing_run',
      run_key: 'unit:dead',
      status: 'running',
      worker: 'other:2:0',
      started_at: past,
      lease_until: past,
    })
    // A claim from before leases existed, started long ago.
    await db.table('job_runs').insert({
      job: 'billing_run',
      run_key: 'unit:old',
      status: 'running',
      worker: 'other:3:0',
      started_at: sqlTime(new Date(Date.now() - 3_600_000)),
    })

    assert.deepEqual(await runOnce('billing_run', 'unit:live', async () => ({ ran: true })), {
      claimed: false,
    })
    const dead = await runOnce('billing_run', 'unit:dead', async () => ({ ran: true }))
    assert.isTrue(dead.claimed && 'result' in dead && dead.result.ran)
    const old = await runOnce('billing_run', 'unit:old', async () => ({ ran: true }))
    assert.isTrue(old.claimed)

    const rows = await db.from('job_runs').orderBy('id')
    assert.deepEqual(
      rows.map((r) => [r.run_key.replace(/:\d+$/, ':N'), r.status]),
      [
        ['unit:live', 'running'],
        ['unit:dead:abandoned:N', 'abandoned'],
        ['unit:old:abandoned:N', 'abandoned'],
        ['unit:dead', 'succeeded'],
        ['unit:old', 'succeeded'],
      ]
    )
    assert.match(rows[1].error, /lease expired .*worker other:2:0 stopped renewing it/)
  })

  test('the heartbeat keeps a long job’s lease alive', async ({ assert }) => {
    process.env.JOB_LEASE_MS = '1000'
    const long = runOnce('billing_run', 'unit:long', async () => {
      await sleep(3000)
      return { ran: 'first' }
    })
    await sleep(1800)
    // Well past the first lease: without renewal this would take the unit over.
    assert.deepEqual(await runOnce('billing_run', 'unit:long', async () => ({ ran: 'second' })), {
      claimed: false,
    })
    const first = await long
    assert.isTrue(first.claimed && 'result' in first && first.result.ran === 'first')
  }).timeout(20_000)

  test('kill -9 of a scheduler mid-billing: a second scheduler finishes that customer exactly once', async ({
    assert,
  }) => {
    const period = periodDue({ billDay: 1, timeZone: 'Europe/London' }, new Date())!
    const fixture = await makeBillingFixture({ period, employees: 1, recordsPerService: 2 })
    await setSettings({ auto_finalize: 'true' })
    const env = { SCHEDULER_MONTH_END_MS: '1', PDF_PAGES: '1', JOB_LEASE_MS: '2000' }
    const key = `billing:${period}:customer:${fixture.customer.id}`

    const killed = await ace(['scheduler:work', '--once', '--only', 'month_end'], {
      ...env,
      TOLLGATE_FAULT_POINTS: 'month_end.after_draft',
    })
    assert.equal(killed.signal, 'SIGKILL', killed.stdout + killed.stderr)
    const left = await db.from('job_runs').where('run_key', key).first()
    assert.equal(left.status, 'running', 'the dead scheduler left its claim running')
    assert.deepInclude(
      await db.from('invoices').where('customer_id', fixture.customer.id).first(),
      { status: 'draft', number: null }
    )

    await untilLeaseExpired(key)
    const second = await ace(['scheduler:work', '--once', '--only', 'month_end'], env)
    assert.equal(second.code, 0, second.stdout + second.stderr)

    const invoices = await db.from('invoices').where('customer_id', fixture.customer.id)
    assert.lengthOf(invoices, 1)
    assert.equal(invoices[0].status, 'finalized')
    assert.isNotNull(invoices[0].number)
    assert.isNotNull(invoices[0].pdf_path)
    assert.lengthOf(await db.from('billing_runs').where('period', period), 1)
    const claims = await db.from('job_runs').where('job', 'billing_run').orderBy('id')
    assert.deepEqual(
      claims.map((c) => c.status),
      ['abandoned', 'succeeded']
    )
    assert.include(JSON.parse(claims[1].detail), { resumed: true, status: 'finalized' })

    // A third scheduler finds nothing left to do.
    const third = await ace(['scheduler:work', '--once', '--only', 'month_end'], env)
    assert.equal(third.code, 0)
    assert.lengthOf(await db.from('job_runs').where('job', 'billing_run'), 2)
    assert.lengthOf(await db.from('invoices').where('customer_id', fixture.customer.id), 1)
  }).timeout(240_000)
})
