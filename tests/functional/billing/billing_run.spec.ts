import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import db from '@adonisjs/lucid/services/db'
import Invoice from '#models/invoice'
import InvoiceLine from '#models/invoice_line'
import {
  createRun,
  finalizeRun,
  regenerateRun,
  cancelRun,
  runReview,
  BillingError,
} from '#billing/runs'
import { e4ToMinor, invoiceTotals } from '#lib/money'
import { createCreditNote } from '#billing/credit_notes'
import { makeBillingFixture } from './fixtures.js'

test.group('Billing runs', (group) => {
  group.each.setup(() => truncateAll())

  test('a draft invoice sums rated usage per employee, service and category, plus recurring charges', async ({
    assert,
  }) => {
    const f = await makeBillingFixture({
      employees: 3,
      recordsPerService: 4,
      unallocatedRecords: 2,
    })
    const { run, invoices } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    assert.equal(run.status, 'draft')
    assert.lengthOf(invoices, 1)
    const invoice = await Invoice.findOrFail(invoices[0].id)
    const lines = await InvoiceLine.query().where('invoice_id', invoice.id)

    // one usage line per (employee, service, category); each amount = exact e4 sum rounded half-up
    const groups = await db
      .from('usage_records')
      .where('customer_id', f.customer.id)
      .select('employee_id', 'service_id', 'category')
      .sum('price_e4 as e4')
      .groupBy('employee_id', 'service_id', 'category')
    const usage = lines.filter((l) => l.kind === 'usage')
    assert.equal(usage.length, groups.length)
    for (const g of groups) {
      const line = usage.find(
        (l) =>
          l.employeeId === (g.employee_id === null ? null : Number(g.employee_id)) &&
          l.serviceId === Number(g.service_id) &&
          l.category === g.category
      )
      assert.exists(line)
      assert.equal(line!.amountMinor, e4ToMinor(Number(g.e4)))
    }
    assert.lengthOf(
      lines.filter((l) => l.kind === 'recurring'),
      3
    )
    assert.isTrue(
      usage.some((l) => l.employeeId === null),
      'unallocated usage has its own line'
    )

    const expected = invoiceTotals(lines)
    assert.equal(invoice.subtotalMinor, expected.subtotalMinor)
    assert.equal(invoice.taxMinor, expected.taxMinor)
    assert.equal(invoice.totalMinor, invoice.subtotalMinor + invoice.taxMinor)
    const perEmployee = [...f.expectedByEmployee.values()].reduce((a, b) => a + b, 0)
    assert.equal(invoice.subtotalMinor, perEmployee + f.expectedUnallocatedMinor)
    // drafts do not claim records yet
    const claimed = await db
      .from('usage_records')
      .whereNotNull('invoice_id')
      .count('* as n')
      .first()
    assert.equal(Number(claimed.n), 0)
  })

  test('a second active run for the same customer and period fails clearly; a run for everyone skips it', async ({
    assert,
  }) => {
    const f = await makeBillingFixture()
    const other = await makeBillingFixture()
    const first = await createRun({ period: f.period, customerIds: [f.customer.id] })
    await assert.rejects(
      () => createRun({ period: f.period, customerIds: [f.customer.id] }),
      /already has a draft invoice for 2026-10 in billing run/
    )
    const all = await createRun({ period: f.period })
    assert.deepEqual(
      all.invoices.map((i) => i.customerId),
      [other.customer.id]
    )
    assert.isTrue(all.skipped.some((s) => s.customerId === f.customer.id))
    // cancelling the first run frees the customer again
    await cancelRun(first.run.id)
    const again = await createRun({ period: f.period, customerIds: [f.customer.id] })
    assert.lengthOf(again.invoices, 1)
    // the database backs this up: unique(customer_id, period)
    await assert.rejects(() =>
      db.table('invoices').insert({
        billing_run_id: again.run.id,
        customer_id: f.customer.id,
        period: f.period,
        status: 'draft',
        currency: 'GBP',
        created_at: '2026-11-01 00:00:00',
      })
    )
  })

  test('finalize numbers invoices gaplessly, claims the records and freezes the invoice', async ({
    assert,
  }) => {
    const a = await makeBillingFixture()
    const b = await makeBillingFixture()
    const c = await makeBillingFixture()
    const run1 = await createRun({ period: a.period, customerIds: [a.customer.id, b.customer.id] })
    await finalizeRun(run1.run.id)
    const run2 = await createRun({ period: a.period, customerIds: [c.customer.id] })
    await finalizeRun(run2.run.id)
    const invoices = await Invoice.query().orderBy('number')
    assert.deepEqual(
      invoices.map((i) => i.number),
      ['INV-000001', 'INV-000002', 'INV-000003']
    )
    for (const invoice of invoices) {
      assert.equal(invoice.status, 'finalized')
      assert.exists(invoice.issueDate)
      assert.exists(invoice.dueDate)
      assert.equal(invoice.snapshot!.customer.account_number.startsWith('B-'), true)
      assert.exists(invoice.snapshot!.supplier.vat_number)
    }
    const unclaimed = await db
      .from('usage_records')
      .whereNull('invoice_id')
      .whereIn('customer_id', [a.customer.id, b.customer.id, c.customer.id])
      .count('* as n')
      .first()
    assert.equal(Number(unclaimed.n), 0)

    // finalized: no regenerate, no cancel, no second finalize
    await assert.rejects(() => regenerateRun(run1.run.id), /only a draft can change/)
    await assert.rejects(() => cancelRun(run1.run.id), /only a draft can change/)
    await assert.rejects(() => finalizeRun(run1.run.id), /only a draft can change/)

    // new usage for the same period is not billed again by a new run (unique customer+period)
    await assert.rejects(
      () => createRun({ period: a.period, customerIds: [a.customer.id] }),
      /finalized invoice.*credit note/
    )
  })

  test('a draft that no longer matches its usage cannot be finalized until regenerated', async ({
    assert,
  }) => {
    const f = await makeBillingFixture()
    const { run, invoices } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    // a late record arrives (rated) after the draft was reviewed
    const sample = await db
      .from('usage_records')
      .where('customer_id', f.customer.id)
      .whereNotNull('employee_id')
      .first()
    await db
      .table('usage_records')
      .insert({ ...sample, id: undefined, dedupe_key: 'late-1', price_e4: 99999 })
    await assert.rejects(() => finalizeRun(run.id), /changed since the draft was built/)
    const regenerated = await regenerateRun(run.id)
    assert.equal(regenerated.invoices[0].subtotalMinor, invoices[0].subtotalMinor + 1000)
    await finalizeRun(run.id)
    const invoice = await Invoice.findByOrFail('billing_run_id', run.id)
    assert.equal(invoice.number, 'INV-000001')
  })

  test('unrated records are never billed at 0: excluded, and they block finalize until acknowledged', async ({
    assert,
  }) => {
    const f = await makeBillingFixture({ unrated: 2 })
    const { run, invoices } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    const perEmployee = [...f.expectedByEmployee.values()].reduce((x, y) => x + y, 0)
    assert.equal(invoices[0].subtotalMinor, perEmployee + f.expectedUnallocatedMinor)
    const review = await runReview(run.id)
    assert.deepEqual(
      review.warnings.map((w) => [w.account, w.unrated]),
      [[f.customer.accountNumber, 2]]
    )
    await assert.rejects(() => finalizeRun(run.id), BillingError)
    await finalizeRun(run.id, { allowUnrated: true })
    const unrated = await db
      .from('usage_records')
      .where('customer_id', f.customer.id)
      .where('rating_status', 'unrated')
    assert.isTrue(
      unrated.every((r) => r.invoice_id === null),
      'unrated records stay unbilled'
    )
  })

  test('credit notes are numbered documents that never credit more than the invoice', async ({
    assert,
  }) => {
    const f = await makeBillingFixture({ employees: 1 })
    const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    const draft = await Invoice.findByOrFail('billing_run_id', run.id)
    await assert.rejects(
      () => createCreditNote({ invoiceId: draft.id, reason: 'too early' }),
      /Only a finalized invoice/
    )
    await finalizeRun(run.id)
    const invoice = await Invoice.findOrFail(draft.id)
    const part = await createCreditNote({
      invoiceId: invoice.id,
      reason: 'Goodwill',
      netMinor: 333,
    })
    assert.equal(part.number, 'CN-000001')
    assert.equal(part.taxMinor, 67)
    await assert.rejects(
      () =>
        createCreditNote({
          invoiceId: invoice.id,
          reason: 'Too much',
          netMinor: invoice.subtotalMinor,
        }),
      /At most/
    )
    const rest = await createCreditNote({ invoiceId: invoice.id, reason: 'Cancel the rest' })
    assert.equal(rest.number, 'CN-000002')
    assert.equal(part.subtotalMinor + rest.subtotalMinor, invoice.subtotalMinor)
    assert.equal(
      part.taxMinor + rest.taxMinor,
      invoice.taxMinor,
      'a full credit returns exactly the VAT charged'
    )
    await invoice.refresh()
    assert.equal(invoice.number, 'INV-000001', 'the invoice itself is unchanged')
  })

  test('two runs finalized at the same moment get distinct gapless numbers', async ({ assert }) => {
    const fs = [
      await makeBillingFixture({ employees: 1 }),
      await makeBillingFixture({ employees: 1 }),
      await makeBillingFixture({ employees: 1 }),
      await makeBillingFixture({ employees: 1 }),
    ]
    const r1 = await createRun({
      period: '2026-10',
      customerIds: [fs[0].customer.id, fs[1].customer.id],
    })
    const r2 = await createRun({
      period: '2026-10',
      customerIds: [fs[2].customer.id, fs[3].customer.id],
    })
    await Promise.all([finalizeRun(r1.run.id), finalizeRun(r2.run.id)])
    const numbers = (await Invoice.all()).map((i) => i.number).sort()
    assert.deepEqual(numbers, ['INV-000001', 'INV-000002', 'INV-000003', 'INV-000004'])
    const seq = await db.from('number_sequences').where('name', 'invoice').first()
    assert.equal(Number(seq.next_value), 5)
  })
})
