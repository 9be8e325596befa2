import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import Invoice from '#models/invoice'
import InvoiceLine from '#models/invoice_line'
import { createRun, finalizeRun, regenerateRun } from '#billing/runs'
import { sqlTime } from '#lib/db_helpers'
import { invoiceTotals } from '#lib/money'
import { truncateAll } from '#tests/helpers/migrate'
import { makeBillingFixture, type Fixture } from './fixtures.js'

/** These scenarios bill months up to early 2027: they are billed as if after they ended (the period guard). */
const BILLED_LATER = new Date('2030-01-01T00:00:00Z')

/**
 * Recurring charges are billed month by month, every month of every charge
 * exactly once (README, "Billing, invoices and email"): the first invoice
 * after a mid-month start carries the part month plus the month in advance,
 * later invoices never repeat a month, mode switches neither double-bill nor
 * skip, and invoices finalized before months were recorded are not re-billed.
 */

/** £31.00 a month: 16–31 Oct = 16/31 days = £16.00 exactly. */
const PRICE_E4 = 310000

async function addCharge(
  f: Fixture,
  startsOn: string,
  endsOn: string | null = null,
  description = 'Office line rental'
) {
  const [id] = await db.table('recurring_charges').insert({
    customer_id: f.customer.id,
    employee_id: f.employees[0].id,
    service_id: null,
    description,
    category: 'line_rental',
    quantity: 1,
    unit_price_e4: PRICE_E4,
    unit_cost_e4: 100000,
    starts_on: startsOn,
    ends_on: endsOn,
    origin: 'manual',
    created_at: sqlTime(),
  })
  return Number(id)
}

async function fixture() {
  return makeBillingFixture({
    employees: 1,
    recordsPerService: 1,
    unallocatedRecords: 0,
    recurring: false,
    period: '2026-10',
  })
}

async function setMode(customerId: number, mode: 'advance' | 'arrears') {
  const customer = await Customer.findOrFail(customerId)
  customer.recurringBilling = mode
  await customer.save()
}

/** Runs `period` for the customer, checks the totals, finalizes; returns the recurring lines [month, amount, description]. */
async function bill(customerId: number, period: string, finalize = true) {
  const { run, invoices } = await createRun({
    period,
    customerIds: [customerId],
    now: BILLED_LATER,
  })
  const lines: InvoiceLine[] = []
  for (const invoice of invoices) {
    const all = await InvoiceLine.query().where('invoice_id', invoice.id).orderBy('id')
    const totals = invoiceTotals(all)
    if (totals.subtotalMinor !== invoice.subtotalMinor || totals.totalMinor !== invoice.totalMinor)
      throw new Error('totals do not add up')
    lines.push(...all.filter((l) => l.kind === 'recurring'))
  }
  if (finalize) await finalizeRun(run.id, { allowUnrated: true })
  return { run, invoices, lines, months: lines.map((l) => [l.recurringMonth, l.amountMinor]) }
}

test.group('Billing runs: recurring charges month by month', (group) => {
  group.each.setup(() => truncateAll())

  test('advance: a charge starting 16 Oct is billed 16–31 Oct pro-rata plus November on the October invoice', async ({
    assert,
  }) => {
    const f = await fixture()
    const chargeId = await addCharge(f, '2026-10-16')
    const oct = await bill(f.customer.id, '2026-10', false)
    assert.deepEqual(oct.months, [
      ['2026-10', 1600],
      ['2026-11', 3100],
    ])
    assert.deepEqual(
      oct.lines.map((l) => l.description),
      ['Office line rental (Oct 2026, 16/31 days)', 'Office line rental (Nov 2026)']
    )
    assert.isTrue(oct.lines.every((l) => l.recurringChargeId === chargeId))
    // Regenerating a draft builds the same lines again.
    await regenerateRun(oct.run.id)
    const again = await InvoiceLine.query()
      .join('invoices', 'invoices.id', 'invoice_lines.invoice_id')
      .where('invoices.billing_run_id', oct.run.id)
      .where('kind', 'recurring')
      .select('invoice_lines.*')
      .orderBy('invoice_lines.id')
    assert.deepEqual(
      again.map((l) => [l.recurringMonth, l.amountMinor]),
      oct.months
    )
  })

  test('after October is finalized, November bills December only', async ({ assert }) => {
    const f = await fixture()
    await addCharge(f, '2026-10-16')
    await bill(f.customer.id, '2026-10')
    const nov = await bill(f.customer.id, '2026-11')
    assert.deepEqual(nov.months, [['2026-12', 3100]])
    assert.equal(nov.lines[0].description, 'Office line rental (Dec 2026)')
  })

  test('switching to arrears and back neither bills a month twice nor skips one', async ({
    assert,
  }) => {
    const f = await fixture()
    await addCharge(f, '2026-10-16')
    assert.deepEqual((await bill(f.customer.id, '2026-10')).months, [
      ['2026-10', 1600],
      ['2026-11', 3100],
    ])
    await setMode(f.customer.id, 'arrears')
    // November was billed in advance: nothing to bill, so no invoice at all.
    const nov = await bill(f.customer.id, '2026-11')
    assert.lengthOf(nov.invoices, 0)
    assert.deepEqual((await bill(f.customer.id, '2026-12')).months, [['2026-12', 3100]])
    await setMode(f.customer.id, 'advance')
    assert.deepEqual((await bill(f.customer.id, '2027-01')).months, [
      ['2027-01', 3100],
      ['2027-02', 3100],
    ])
    assert.deepEqual((await bill(f.customer.id, '2027-02')).months, [['2027-03', 3100]])

    const all = await InvoiceLine.query()
      .join('invoices', 'invoices.id', 'invoice_lines.invoice_id')
      .where('invoices.customer_id', f.customer.id)
      .where('invoices.status', 'finalized')
      .where('kind', 'recurring')
      .select('invoice_lines.*')
    assert.deepEqual(all.map((l) => l.recurringMonth).sort(), [
      '2026-10',
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
      '2027-03',
    ])
  })

  test('an ended charge stops, its last part month pro-rata', async ({ assert }) => {
    const f = await fixture()
    await addCharge(f, '2026-10-01', '2026-12-10')
    assert.deepEqual((await bill(f.customer.id, '2026-10')).months, [
      ['2026-10', 3100],
      ['2026-11', 3100],
    ])
    const nov = await bill(f.customer.id, '2026-11')
    assert.deepEqual(nov.months, [['2026-12', 1000]])
    assert.equal(nov.lines[0].description, 'Office line rental (Dec 2026, 10/31 days)')
    const dec = await bill(f.customer.id, '2026-12')
    assert.lengthOf(dec.invoices, 0)
  })

  test('a charge that started before the first invoice is billed from that invoice’s month only', async ({
    assert,
  }) => {
    const f = await fixture()
    await addCharge(f, '2020-01-01')
    assert.deepEqual((await bill(f.customer.id, '2026-10')).months, [['2026-11', 3100]])
    assert.deepEqual((await bill(f.customer.id, '2026-11')).months, [['2026-12', 3100]])
  })

  test('invoices finalized before months were recorded are not billed again', async ({
    assert,
  }) => {
    // The default fixture: line rental since 2020 for each employee.
    const f = await makeBillingFixture({ employees: 2, recordsPerService: 1, period: '2026-10' })
    const oct = await bill(f.customer.id, '2026-10')
    assert.lengthOf(oct.lines, 2)
    // Simulate an invoice finalized before the upgrade: no charge/month on its lines.
    await db
      .from('invoice_lines')
      .where('invoice_id', oct.invoices[0].id)
      .update({ recurring_charge_id: null, recurring_month: null })
    // A charge added afterwards, starting in a month the old invoice already covered, and one starting later.
    await addCharge(f, '2026-11-16', null, 'Extra line')
    await addCharge(f, '2026-12-16', null, 'Later line')
    const nov = await bill(f.customer.id, '2026-11')
    assert.deepEqual(
      nov.lines.map((l) => [l.description, l.amountMinor]),
      [
        ['Mobile line rental (Dec 2026)', 1250],
        ['Mobile line rental (Dec 2026)', 1250],
        ['Extra line (Dec 2026)', 3100],
        ['Later line (Dec 2026, 16/31 days)', 1600],
      ]
    )
  })

  test('two drafts showing the same month: the first finalized bills it, the other must be regenerated', async ({
    assert,
  }) => {
    const f = await fixture()
    // Starts 16 Nov (15/30 days = £15.50): the October draft bills November in advance, the November draft
    // (part month + December) too.
    await addCharge(f, '2026-11-16')
    const oct = await bill(f.customer.id, '2026-10', false)
    const nov = await bill(f.customer.id, '2026-11', false)
    assert.deepEqual(oct.months, [['2026-11', 1550]])
    assert.deepEqual(nov.months, [
      ['2026-11', 1550],
      ['2026-12', 3100],
    ])
    await finalizeRun(oct.run.id, { allowUnrated: true })
    await assert.rejects(
      () => finalizeRun(nov.run.id, { allowUnrated: true }),
      /Recurring charges .* changed/
    )
    const { invoices } = await regenerateRun(nov.run.id)
    const lines = await InvoiceLine.query()
      .where('invoice_id', invoices[0].id)
      .where('kind', 'recurring')
    assert.deepEqual(
      lines.map((l) => [l.recurringMonth, l.amountMinor]),
      [['2026-12', 3100]]
    )
    await finalizeRun(nov.run.id, { allowUnrated: true })
    assert.equal((await Invoice.findOrFail(invoices[0].id)).status, 'finalized')
  })

  test('finalized out of order, a fresh customer still gets every month once', async ({
    assert,
  }) => {
    const f = await fixture()
    await addCharge(f, '2026-10-16')
    const oct = await bill(f.customer.id, '2026-10', false)
    const nov = await bill(f.customer.id, '2026-11', false)
    // Nothing finalized yet: November's draft treats the October charge as already running.
    assert.deepEqual(nov.months, [['2026-12', 3100]])
    await finalizeRun(nov.run.id, { allowUnrated: true })
    // November claimed October's usage (late usage), so the October draft is regenerated: it keeps October and November.
    await regenerateRun(oct.run.id)
    await finalizeRun(oct.run.id, { allowUnrated: true })
    const all = await InvoiceLine.query()
      .join('invoices', 'invoices.id', 'invoice_lines.invoice_id')
      .where('invoices.customer_id', f.customer.id)
      .where('kind', 'recurring')
      .select('invoice_lines.*')
    assert.deepEqual(all.map((l) => [l.recurringMonth, l.amountMinor]).sort(), [
      ['2026-10', 1600],
      ['2026-11', 3100],
      ['2026-12', 3100],
    ])
  })

  test('two drafts finalized at the same time: the month is billed once', async ({ assert }) => {
    // No usage at all, so only the recurring months guard the drafts.
    const f = await makeBillingFixture({
      employees: 1,
      recordsPerService: 0,
      unallocatedRecords: 0,
      recurring: false,
      period: '2026-10',
    })
    await addCharge(f, '2026-11-16')
    const oct = await bill(f.customer.id, '2026-10', false)
    const nov = await bill(f.customer.id, '2026-11', false)
    const results = await Promise.allSettled([finalizeRun(oct.run.id), finalizeRun(nov.run.id)])
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    assert.match(String(failed.reason?.message), /Recurring charges .* changed/)
    const billed = await InvoiceLine.query()
      .join('invoices', 'invoices.id', 'invoice_lines.invoice_id')
      .where('invoices.customer_id', f.customer.id)
      .where('invoices.status', 'finalized')
      .select('invoice_lines.*')
    const months = billed.map((l) => l.recurringMonth)
    assert.equal(months.filter((m) => m === '2026-11').length, 1)
  })
})
