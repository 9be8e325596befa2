import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import Invoice from '#models/invoice'
import { createRun, finalizeRun, regenerateRun, runReview, BillingError } from '#billing/runs'
import { acknowledgeFlags } from '#billing/flags'
import { queueDeliveries } from '#deliveries/deliveries'
import { setSettings } from '#billing/settings'
import { monthEndJob } from '#jobs/tasks'
import { sqlTime } from '#lib/db_helpers'
import { makeBillingFixture } from './fixtures.js'

const kinds = async (invoiceId: number) =>
  (
    await db.from('invoice_flags').where('invoice_id', invoiceId).orderBy('kind').select('kind')
  ).map((r: any) => r.kind)

/** One extra rated record for a customer (straight to the table, as the billing fixtures do). */
async function addRecord(customerId: number, period: string, fields: Record<string, any>) {
  const [id] = await db.table('usage_records').insert({
    customer_id: customerId,
    source: 'test:guards',
    dedupe_key: `g-${Math.random().toString(36).slice(2)}`,
    identifier: '+447700900001',
    occurred_at: `${period}-10 10:00:00`,
    period,
    category: 'uk_mobile',
    destination: '447700900123',
    destination_name: 'UK mobile',
    duration_s: 60,
    volume_bytes: 0,
    quantity: 1,
    cost_e4: 100,
    price_e4: 200,
    allowance_used: 0,
    rating_status: 'rated',
    ...fields,
  })
  return Number(id)
}

test.group('Billing guards: periods', (group) => {
  group.each.setup(() => truncateAll())

  test('an open period needs the explicit choice; a future period is refused', async ({
    assert,
  }) => {
    const f = await makeBillingFixture({ period: '2026-11' })
    const now = new Date('2026-11-20T12:00:00Z')
    const open = await createRun({ period: '2026-11', customerIds: [f.customer.id], now }).catch(
      (e) => e
    )
    assert.instanceOf(open, BillingError)
    assert.equal(open.code, 'open_period')
    assert.match(
      open.message,
      /2026-11 has not ended for B-.* \(it ends 1 Dec 2026 00:00 Europe\/London\).*bill an open period.*--open-period/
    )
    assert.equal(
      Number((await db.from('billing_runs').count('* as n').first()).n),
      0,
      'nothing half-written'
    )

    const future = await createRun({
      period: '2026-12',
      customerIds: [f.customer.id],
      now,
      openPeriod: true,
    }).catch((e) => e)
    assert.equal(future.code, 'future')
    assert.match(future.message, /2026-12 has not begun for B-.*a future period cannot be billed/)

    const chosen = await createRun({
      period: '2026-11',
      customerIds: [f.customer.id],
      now,
      openPeriod: true,
    })
    assert.lengthOf(chosen.invoices, 1)
  })

  test('the customer time zone decides when a month has ended', async ({ assert }) => {
    const f = await makeBillingFixture({ period: '2026-10' })
    await db.from('customers').where('id', f.customer.id).update({ time_zone: 'America/New_York' })
    // 1 Nov 02:00 UTC is still 31 Oct in New York
    const early = await createRun({
      period: '2026-10',
      customerIds: [f.customer.id],
      now: new Date('2026-11-01T02:00:00Z'),
    }).catch((e) => e)
    assert.equal(early.code, 'open_period')
    const later = await createRun({
      period: '2026-10',
      customerIds: [f.customer.id],
      now: new Date('2026-11-01T05:00:00Z'),
    })
    assert.lengthOf(later.invoices, 1)
  })
})

test.group('Billing guards: flags', (group) => {
  group.each.setup(() => truncateAll())

  test('a clean first invoice carries no flags and finalizes', async ({ assert }) => {
    const f = await makeBillingFixture()
    const { run, invoices } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    assert.deepEqual(await kinds(invoices[0].id), [])
    await finalizeRun(run.id, { holdFlagged: true })
    assert.equal((await Invoice.findOrFail(invoices[0].id)).status, 'finalized')
  })

  test('below cost, duplicates, unknown services and unrated records are flagged', async ({
    assert,
  }) => {
    const f = await makeBillingFixture({ unrated: 1 })
    await addRecord(f.customer.id, f.period, {
      identifier: f.employees.length ? '+4477009' + '00000' : 'x',
      service_id: null,
      cost_e4: 5000,
      price_e4: 4000,
    })
    const dupA = {
      identifier: '+447700900777',
      service_id: null,
      occurred_at: `${f.period}-12 09:30:00`,
      duration_s: 125,
      cost_e4: 10,
      price_e4: 30,
    }
    await addRecord(f.customer.id, f.period, dupA)
    await addRecord(f.customer.id, f.period, dupA)
    const { invoices } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    assert.deepEqual(await kinds(invoices[0].id), [
      'below_cost',
      'duplicates',
      'unknown_services',
      'unrated',
    ])
    const flags = await db.from('invoice_flags').where('invoice_id', invoices[0].id)
    const below = flags.find((x: any) => x.kind === 'below_cost')
    assert.equal(below.message, '1 record priced below supplier cost: £0.10 under cost in all')
    const dup = flags.find((x: any) => x.kind === 'duplicates')
    assert.match(dup.message, /^1 suspected duplicate record .* in 1 group$/)
    const unknown = flags.find((x: any) => x.kind === 'unknown_services')
    assert.include(unknown.message, '+447700900777')
    assert.include(unknown.message, '+447700900999')
  })

  test('a change beyond the band against the last invoice and the 3-month average holds the draft until acknowledged', async ({
    assert,
  }) => {
    const billing = await makeUser('billing')
    const f = await makeBillingFixture({
      period: '2026-07',
      recurring: false,
      unallocatedRecords: 0,
    })
    // three earlier months of about the same size
    for (const p of ['2026-07', '2026-08', '2026-09']) {
      if (p !== '2026-07')
        await addRecord(f.customer.id, p, {
          service_id: null,
          identifier: f.employees[0] ? '+447700900000' : 'x',
          price_e4: 0,
        })
      await db
        .from('usage_records')
        .where('customer_id', f.customer.id)
        .where('period', p)
        .where('price_e4', 0)
        .update({ price_e4: 1_000_000, cost_e4: 500_000 })
      await db
        .from('usage_records')
        .where('customer_id', f.customer.id)
        .where('period', p)
        .whereNull('service_id')
        .update({
          service_id: (await db.from('services').where('customer_id', f.customer.id).first()).id,
        })
      const r = await createRun({ period: p, customerIds: [f.customer.id] })
      await finalizeRun(r.run.id)
    }
    // October: twice the usual
    const service = await db.from('services').where('customer_id', f.customer.id).first()
    await addRecord(f.customer.id, '2026-10', {
      service_id: service.id,
      identifier: service.identifier,
      price_e4: 4_000_000,
      cost_e4: 2_000_000,
    })
    const { run, invoices } = await createRun({ period: '2026-10', customerIds: [f.customer.id] })
    const found = await kinds(invoices[0].id)
    assert.includeMembers(found, ['change_vs_last', 'change_vs_average'])
    const last = await db
      .from('invoice_flags')
      .where('invoice_id', invoices[0].id)
      .where('kind', 'change_vs_last')
      .first()
    assert.match(
      last.message,
      /^Net £400\.00 against £\d+\.\d\d on INV-000003 \(2026-09\): \+\d+\.\d%, beyond the ±25\.0% band$/
    )

    const refused = await finalizeRun(run.id, { holdFlagged: true }).catch((e) => e)
    assert.instanceOf(refused, BillingError)
    assert.equal(refused.code, 'flagged')
    assert.match(refused.message, /not acknowledged/)
    await assert.rejects(() => acknowledgeFlags(invoices[0].id, ' ', billing.id), /Give a reason/)
    const review = await runReview(run.id)
    assert.isTrue(review.held.has(invoices[0].id))

    await acknowledgeFlags(invoices[0].id, 'New site opened in October', billing.id)
    const logged = await db.from('audit_logs').where('action', 'invoice.flags_acknowledged').first()
    assert.equal(Number(logged.user_id), billing.id)
    assert.include(String(logged.changes), 'New site opened in October')
    await finalizeRun(run.id, { holdFlagged: true })
    assert.equal((await Invoice.findOrFail(invoices[0].id)).status, 'finalized')
  })

  test('the review lists flagged invoices first', async ({ assert }) => {
    const clean = await makeBillingFixture()
    const flagged = await makeBillingFixture()
    await addRecord(flagged.customer.id, flagged.period, {
      service_id: null,
      identifier: '+447700900555',
    })
    // account numbers sort clean first, so the order below is the flag's doing
    assert.isTrue(clean.customer.accountNumber < flagged.customer.accountNumber)
    const { run } = await createRun({ period: clean.period })
    const review = await runReview(run.id)
    assert.deepEqual(
      review.invoices.map((i) => i.customerId),
      [flagged.customer.id, clean.customer.id]
    )
  })

  test('auto-finalize leaves a flagged invoice as a draft, and auto-send skips a held finalized invoice', async ({
    assert,
  }) => {
    await setSettings({ auto_finalize: 'true' })
    const f = await makeBillingFixture({ period: '2026-11' })
    await addRecord(f.customer.id, '2026-11', { service_id: null, identifier: '+447700900444' })
    const result: any = await monthEndJob(new Date('2026-12-01T09:00:00Z'))
    const billed = result.result?.billed ?? result.billed ?? []
    const invoice = await Invoice.findByOrFail('customer_id', f.customer.id)
    assert.equal(invoice.status, 'draft', JSON.stringify(billed))
    assert.match(JSON.stringify(result), /not acknowledged/)

    // finalized by a path that does not hold (library call): auto-send still waits for the acknowledgement
    await finalizeRun(invoice.billingRunId)
    assert.deepEqual(await queueDeliveries({ excludeHeld: true }), { queued: 0, missingEmail: 0 })
    await db
      .from('invoice_flags')
      .where('invoice_id', invoice.id)
      .update({ acknowledged_at: sqlTime(), acknowledge_reason: 'checked' })
    assert.equal((await queueDeliveries({ excludeHeld: true })).queued, 1)
  })

  test('regenerating a draft keeps its diff against the draft it replaced, per employee', async ({
    assert,
  }) => {
    const f = await makeBillingFixture({ employees: 2, recurring: false, unallocatedRecords: 0 })
    const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    const target = await db
      .from('usage_records')
      .where('employee_id', f.employees[0].id)
      .where('category', 'uk_mobile')
      .orderBy('id')
      .first()
    await db
      .from('usage_records')
      .where('id', target.id)
      .update({ price_e4: Number(target.price_e4) + 10_000 })
    await addRecord(f.customer.id, f.period, {
      service_id: target.service_id,
      employee_id: f.employees[1].id,
      identifier: target.identifier,
      category: 'roaming_data',
      price_e4: 25_000,
    })
    await regenerateRun(run.id)
    const invoice = await Invoice.findByOrFail('billing_run_id', run.id)
    const diff = invoice.snapshot!.regenerated
    assert.lengthOf(diff.changed, 1)
    assert.equal(diff.changed[0].deltaMinor, 100)
    assert.equal(diff.changed[0].employee, f.employees[0].name)
    assert.lengthOf(diff.added, 1)
    assert.equal(diff.added[0].amountMinor, 250)
    assert.lengthOf(diff.removed, 0)
    assert.deepEqual(
      diff.byEmployee.map((e: any) => [e.employee, e.deltaMinor]),
      [
        [f.employees[0].name, 100],
        [f.employees[1].name, 250],
      ]
    )
    assert.equal(diff.afterNetMinor - diff.beforeNetMinor, 350)
  })
})

test.group('Billing guards: CLI', (group) => {
  group.each.setup(() => truncateAll())

  test('billing:run refuses an open period without --open-period, and bills it with it', async ({
    assert,
  }) => {
    const { execFile } = await import('node:child_process')
    const { promisify } = await import('node:util')
    const { default: app } = await import('@adonisjs/core/services/app')
    const run = promisify(execFile)
    const { DateTime } = await import('luxon')
    const period = DateTime.now().setZone('Europe/London').toFormat('yyyy-MM')
    const f = await makeBillingFixture({ period })
    const ace = (args: string[]) =>
      run('node', ['ace', ...args], {
        cwd: app.makePath(),
        env: { ...process.env, NODE_ENV: 'test' },
      })
    const refused = await ace([
      'billing:run',
      '--period',
      period,
      '--customer',
      f.customer.accountNumber,
      '--skip-pdf',
      '--json',
    ]).catch((e) => e)
    assert.equal(refused.code, 1)
    assert.match(JSON.parse(refused.stdout).error, /has not ended for .*--open-period/)
    const ok = JSON.parse(
      (
        await ace([
          'billing:run',
          '--period',
          period,
          '--customer',
          f.customer.accountNumber,
          '--open-period',
          '--skip-pdf',
          '--json',
        ])
      ).stdout
    )
    assert.equal(ok.status, 'draft')
    assert.lengthOf(ok.invoices, 1)
  }).timeout(180_000)
})
