import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { ace } from '#tests/helpers/ace_process'
import { makeBillingFixture } from '../billing/fixtures.js'

/** Processes (Chromium's included) whose environment carries `mark`: the ones a child started. */
async function processesMarked(mark: string) {
  const found: number[] = []
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const environ = await readFile(`/proc/${name}/environ`, 'latin1').catch(() => '')
    if (environ.includes(`TOLLGATE_TEST_MARK=${mark}`)) found.push(Number(name))
  }
  return found
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test.group('Crash recovery: billing runs', (group) => {
  group.each.setup(() => truncateAll())

  test('killed mid-build, billing:run again finishes the same run (no second run) and finalizes it', async ({
    assert,
  }) => {
    const period = '2026-10'
    const a = await makeBillingFixture({ period, employees: 1, recordsPerService: 2 })
    const b = await makeBillingFixture({ period, employees: 1, recordsPerService: 2 })
    const args = ['billing:run', '--period', period, '--finalize', '--skip-pdf', '--json']
    const killed = await ace(args, { TOLLGATE_FAULT_POINTS: 'billing_run.mid_build' })
    assert.equal(killed.signal, 'SIGKILL')
    const runs = await db.from('billing_runs').where('period', period)
    assert.lengthOf(runs, 1)
    assert.lengthOf(
      await db.from('invoices').where('billing_run_id', runs[0].id),
      1,
      'one invoice was built before the kill'
    )

    const again = await ace(args)
    assert.equal(again.code, 0, again.stdout + again.stderr)
    const out = JSON.parse(again.stdout)
    assert.containsSubset(out, { run_id: runs[0].id, resumed_run: runs[0].id, status: 'finalized' })
    assert.sameMembers(
      out.invoices.map((i: any) => i.customer),
      [a.customer.accountNumber, b.customer.accountNumber]
    )
    assert.match(again.stderr, new RegExp(`finishing draft billing run #${runs[0].id}`))
    assert.lengthOf(await db.from('billing_runs').where('period', period), 1)
    const invoices = await db.from('invoices').where('period', period)
    assert.lengthOf(invoices, 2)
    assert.isTrue(invoices.every((i) => i.status === 'finalized' && i.number))

    // Once more: nothing is left to bill, and it says so with exit code 1 (no empty run is created).
    const third = await ace(args)
    assert.equal(third.code, 1)
    assert.match(
      JSON.parse(third.stdout).error,
      new RegExp(
        `^nothing to bill for ${period}: .* is already in run #${runs[0].id} \\(finalized\\)`
      )
    )
    assert.lengthOf(await db.from('billing_runs').where('period', period), 1)
  }).timeout(180_000)

  test('a run killed while rendering PDFs leaves no Chromium behind', async ({ assert }) => {
    const period = '2026-10'
    await makeBillingFixture({ period, employees: 1, recordsPerService: 1 })
    await makeBillingFixture({ period, employees: 1, recordsPerService: 1 })
    const mark = randomUUID()
    const killed = await ace(['billing:run', '--period', period, '--json'], {
      TOLLGATE_FAULT_POINTS: 'billing_run.mid_pdfs',
      TOLLGATE_TEST_MARK: mark,
      PDF_PAGES: '1',
    })
    assert.equal(killed.signal, 'SIGKILL', killed.stdout + killed.stderr)
    let left = await processesMarked(mark)
    for (let i = 0; i < 50 && left.length; i++) {
      await sleep(200)
      left = await processesMarked(mark)
    }
    for (const pid of left) process.kill(pid, 'SIGKILL')
    assert.deepEqual(left, [], 'Chromium processes outlived the killed run')
  }).timeout(180_000)
})
