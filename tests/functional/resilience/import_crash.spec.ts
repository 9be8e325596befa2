import { test } from '@japa/runner'
import { mkdir, rm, writeFile, readdir, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer } from '#tests/helpers/factories'
import { cdr } from '#tests/helpers/peers/master_csv'
import { ace } from '#tests/helpers/ace_process'
import { recoverImports } from '#connectors/import_recovery'
import { manualUploadDir } from '#connectors/manual_import'
import { pollConnectorsJob } from '#jobs/tasks'

const dir = app.makePath('tmp', `resilience-imports-${process.pid}`)

async function writeCdrs(name: string, count: number, from = 1) {
  const path = join(dir, name)
  await writeFile(path, Array.from({ length: count }, (_, i) => cdr(from + i)).join('\n') + '\n')
  return path
}

const pending = async (customerId: number) =>
  Number(
    (
      await db
        .from('usage_records')
        .where('customer_id', customerId)
        .where('rating_status', 'pending')
        .count('* as n')
    )[0].n
  )
const total = async (customerId: number) =>
  Number((await db.from('usage_records').where('customer_id', customerId).count('* as n'))[0].n)
const importArgs = (path: string, account: string) => [
  'usage:import',
  path,
  '--format',
  'asterisk',
  '--customer',
  account,
  '--json',
]

test.group('Crash recovery: imports', (group) => {
  group.each.setup(() => truncateAll())
  group.setup(async () => {
    await mkdir(dir, { recursive: true })
  })
  group.teardown(() => rm(dir, { recursive: true, force: true }))

  test('killed after the rows commit: re-running the command processes the records (once)', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const path = await writeCdrs('a.csv', 50)
    const killed = await ace(importArgs(path, customer.accountNumber), {
      TOLLGATE_FAULT_POINTS: 'import.after_commit',
    })
    assert.equal(killed.signal, 'SIGKILL', killed.stdout + killed.stderr)
    const imp = await db.from('imports').where('customer_id', customer.id).first()
    assert.deepInclude(imp, { status: 'completed', stage: 'imported', rows_imported: 50 })
    // Records are mapped, rated and rolled up in the file's transaction: only the after-commit listeners were left.
    assert.equal(await pending(customer.id), 0, 'records were rated on their way in')
    assert.equal(await total(customer.id), 50)

    const again = await ace(importArgs(path, customer.accountNumber))
    assert.equal(again.code, 0, again.stdout + again.stderr)
    assert.equal(JSON.parse(again.stdout).status, 'skipped')
    assert.equal((await db.from('imports').where('id', imp.id).first()).stage, 'processed')
    assert.equal(await pending(customer.id), 0)
    assert.equal(await total(customer.id), 50)
  }).timeout(120_000)

  test('killed while processing: the scheduler takes the processing over once the lease runs out', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const path = await writeCdrs('b.csv', 30)
    const killed = await ace(importArgs(path, customer.accountNumber), {
      TOLLGATE_FAULT_POINTS: 'import.before_processing',
      JOB_LEASE_MS: '1000',
    })
    assert.equal(killed.signal, 'SIGKILL')
    const imp = await db.from('imports').where('customer_id', customer.id).first()
    assert.equal(imp.stage, 'imported')
    assert.equal(
      (await db.from('job_runs').where('run_key', `import:${imp.id}:process`).first()).status,
      'running'
    )

    // Leases are stored to the second: 2.5 s is safely past a 1 s lease.
    await new Promise((r) => setTimeout(r, 2500))
    const tick = await pollConnectorsJob(new Date())
    assert.isTrue(tick.claimed)
    const jobs = await db.from('job_runs').orderBy('id')
    assert.deepEqual(
      (tick as any).result.recovered.resumed,
      [imp.id],
      JSON.stringify({ tick, jobs })
    )
    assert.equal((await db.from('imports').where('id', imp.id).first()).stage, 'processed')
    assert.equal(await pending(customer.id), 0)
    const claims = await db.from('job_runs').where('job', 'process_import').orderBy('id')
    assert.deepEqual(
      claims.map((c) => c.status),
      ['abandoned', 'succeeded']
    )
    // Nothing left for the next tick.
    assert.deepEqual((await recoverImports()).resumed, [])
  }).timeout(120_000)

  test('killed mid-file: the import is marked failed (no longer "running"), nothing kept, its upload removed', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const path = await writeCdrs('c.csv', 6000)
    const killed = await ace(importArgs(path, customer.accountNumber), {
      TOLLGATE_FAULT_POINTS: 'import.during_rows',
    })
    assert.equal(killed.signal, 'SIGKILL')
    const imp = await db.from('imports').where('customer_id', customer.id).first()
    assert.equal(imp.status, 'running')
    assert.equal(await total(customer.id), 0)

    // Upload files: one owned by the dead import, one left before any import row (old), one just uploaded.
    const uploads = manualUploadDir()
    await mkdir(uploads, { recursive: true })
    await writeFile(join(uploads, `${imp.id}-0b8c4c2e`), 'x')
    await writeFile(join(uploads, 'old-unowned'), 'x')
    const hourAgo = new Date(Date.now() - 2 * 3_600_000)
    await utimes(join(uploads, 'old-unowned'), hourAgo, hourAgo)
    await writeFile(join(uploads, 'fresh-unowned'), 'x')

    // Still within the stale window: left alone (it might be alive).
    assert.deepEqual((await recoverImports()).failed, [])
    const later = new Date(Date.now() + 5 * 60_000)
    const recovered = await recoverImports(later)
    assert.deepEqual(recovered.failed, [imp.id])
    const after = await db.from('imports').where('id', imp.id).first()
    assert.equal(after.status, 'failed')
    assert.match(
      after.error_message,
      /^the import stopped at \d+% without finishing \(its process was killed or crashed; last sign of life .* UTC\): nothing of it was kept/
    )
    assert.sameMembers(await readdir(uploads), ['fresh-unowned'])

    // The page no longer shows it as running (so it stops polling), and the file imports again cleanly.
    const again = await ace(importArgs(path, customer.accountNumber))
    assert.equal(JSON.parse(again.stdout).status, 'completed')
    assert.equal(await total(customer.id), 6000)
  }).timeout(180_000)
})
