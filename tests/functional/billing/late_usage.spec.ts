import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import db from '@adonisjs/lucid/services/db'
import Invoice from '#models/invoice'
import InvoiceLine from '#models/invoice_line'
import { createRun, finalizeRun, regenerateRun, runReview } from '#billing/runs'
import { e4ToMinor, invoiceTotals } from '#lib/money'
import { sqlTime } from '#lib/db_helpers'
import { buildInvoiceView, loadInvoiceSource } from '#documents/invoice_view'
import { loadTemplates } from '#documents/templates'
import { makeBillingFixture, type Fixture } from './fixtures.js'
import { makeUser } from '#tests/helpers/factories'

/**
 * Late usage: unbilled, rated records of a period that was already invoiced
 * (they arrived, or were rated, after its finalize) are billed on the next
 * run's invoice, labelled with their own period, exactly once.
 */

/** Copies one of the fixture's rated records of employee `e` into `period` with a new key and price. */
async function addRecord(
  f: Fixture,
  e: number,
  period: string,
  key: string,
  priceE4: number | null
) {
  const sample = await db
    .from('usage_records')
    .where('customer_id', f.customer.id)
    .where('employee_id', f.employees[e].id)
    .where('rating_status', 'rated')
    .orderBy('id')
    .first()
  const [y, m] = period.split('-').map(Number)
  const [id] = await db.table('usage_records').insert({
    ...sample,
    id: undefined,
    dedupe_key: key,
    period,
    occurred_at: sqlTime(new Date(Date.UTC(y, m - 1, 10, 12, 0, 0))),
    price_e4: priceE4,
    rating_status: priceE4 === null ? 'unrated' : 'rated',
    invoice_id: null,
  })
  return {
    id: Number(id),
    category: sample.category as string,
    serviceId: Number(sample.service_id),
    employeeId: f.employees[e].id,
  }
}

async function linesOf(invoiceId: number) {
  return InvoiceLine.query().where('invoice_id', invoiceId).orderBy('id')
}

function assertAddsUp(assert: any, invoice: Invoice, lines: InvoiceLine[]) {
  const totals = invoiceTotals(lines)
  assert.equal(
    invoice.subtotalMinor,
    lines.reduce((s, l) => s + l.amountMinor, 0),
    'subtotal = sum of lines'
  )
  assert.equal(invoice.subtotalMinor, totals.subtotalMinor)
  assert.equal(invoice.taxMinor, totals.taxMinor)
  assert.equal(invoice.totalMinor, invoice.subtotalMinor + invoice.taxMinor)
}

test.group('Billing runs: late usage of earlier periods', (group) => {
  group.each.setup(() => truncateAll())

  test('a record of an invoiced month is billed once on the next invoice, labelled with its month', async ({
    assert,
    client,
  }) => {
    // March: billed and finalized while one record is still unrated (acknowledged).
    const f = await makeBillingFixture({
      period: '2026-03',
      employees: 2,
      recordsPerService: 3,
      unallocatedRecords: 1,
      unrated: 1,
    })
    const march = await createRun({ period: '2026-03', customerIds: [f.customer.id] })
    await finalizeRun(march.run.id, { allowUnrated: true })
    const marchInvoice = await Invoice.findByOrFail('billing_run_id', march.run.id)

    // After the finalize: a March carrier record arrives; April has its own usage.
    const late = await addRecord(f, 0, '2026-03', 'late-march-1', 4321)
    await addRecord(f, 0, '2026-04', 'april-1', 1000)
    await addRecord(f, 1, '2026-04', 'april-2', 2000)

    const april = await createRun({ period: '2026-04', customerIds: [f.customer.id] })
    assert.lengthOf(april.invoices, 1)
    let aprilInvoice = await Invoice.findOrFail(april.invoices[0].id)
    let lines = await linesOf(aprilInvoice.id)
    const lateLines = lines.filter((l) => l.usagePeriod !== null)
    assert.lengthOf(lateLines, 1)
    assert.equal(lateLines[0].usagePeriod, '2026-03')
    assert.equal(lateLines[0].kind, 'usage')
    assert.equal(lateLines[0].employeeId, late.employeeId)
    assert.equal(lateLines[0].serviceId, late.serviceId)
    assert.equal(lateLines[0].quantity, 1)
    assert.equal(lateLines[0].amountMinor, e4ToMinor(4321))
    assert.include(lateLines[0].description, '(usage from Mar 2026)')
    // April's own usage lines are not labelled; the unrated March record is not on the invoice
    assert.equal(
      lines
        .filter((l) => l.kind === 'usage' && l.usagePeriod === null)
        .reduce((s, l) => s + l.quantity, 0),
      2
    )
    assert.equal(
      lines.filter((l) => l.kind === 'usage').reduce((s, l) => s + l.quantity, 0),
      3
    )
    assertAddsUp(assert, aprilInvoice, lines)
    assert.equal(aprilInvoice.snapshot!.source.lateRecords, 1)

    // The review reports both the late usage billed and the March record still unrated.
    const review = await runReview(april.run.id)
    assert.deepEqual(
      review.warnings.map((w) => [w.account, w.unrated, w.pending, w.late]),
      [[f.customer.accountNumber, 1, 0, 1]]
    )
    assert.deepEqual(
      review.lateUsage.map((l) => l.records),
      [1]
    )
    // The run's review page says so too.
    const staff = await makeUser('viewer')
    const page = await client.get(`/billing-runs/${april.run.id}`).withInertia().loginAs(staff)
    page.assertStatus(200)
    assert.deepEqual(
      page.inertiaProps.lateUsage.map((l: any) => [l.account, l.records]),
      [[f.customer.accountNumber, 1]]
    )

    // Regenerating the draft gives the same invoice: nothing duplicated, nothing claimed.
    const again = await regenerateRun(april.run.id)
    aprilInvoice = await Invoice.findOrFail(again.invoices[0].id)
    const regenerated = await linesOf(aprilInvoice.id)
    assert.equal(regenerated.length, lines.length)
    assert.lengthOf(
      regenerated.filter((l) => l.usagePeriod === '2026-03'),
      1
    )
    assert.equal(aprilInvoice.subtotalMinor, april.invoices[0].subtotalMinor)
    lines = regenerated
    assert.isNull((await db.from('usage_records').where('id', late.id).first()).invoice_id)

    // The invoice document shows the late line with its month, and per-user totals still add up.
    const view = buildInvoiceView(await loadInvoiceSource(aprilInvoice.id))
    assert.deepEqual(
      view.late_usage!.periods.map((p) => [p.label, p.quantity, p.amount_minor]),
      [['March 2026', 1, e4ToMinor(4321)]]
    )
    const person = view.people.find((p) => p.services.some((s) => s.lines.some((l) => l.late)))!
    assert.exists(person)
    assert.isTrue(
      person.services
        .flatMap((s) => s.lines)
        .some(
          (l) =>
            l.late &&
            l.usage_period === 'Mar 2026' &&
            l.description.includes('(usage from Mar 2026)')
        )
    )
    const viewTotal =
      view.people.reduce((s, p) => s + p.total_minor, 0) +
      lines.filter((l) => l.employeeId === null).reduce((s, l) => s + l.amountMinor, 0)
    assert.equal(viewTotal, aprilInvoice.subtotalMinor)
    for (const p of view.people) {
      const employeeId = f.employees.find((e) => e.name === p.name)!.id
      assert.equal(
        p.total_minor,
        lines.filter((l) => l.employeeId === employeeId).reduce((s, l) => s + l.amountMinor, 0)
      )
    }
    const html = loadTemplates().render('invoice', view)
    assert.include(html, 'Usage from earlier periods')
    assert.include(html, '(usage from Mar 2026)')

    // A May draft built while April's draft is open shows the same straggler…
    await addRecord(f, 1, '2026-05', 'may-1', 3000)
    const may = await createRun({ period: '2026-05', customerIds: [f.customer.id] })
    assert.isTrue((await linesOf(may.invoices[0].id)).some((l) => l.usagePeriod === '2026-03'))

    // …the unrated March record still blocks April's finalize until acknowledged…
    await assert.rejects(
      () => finalizeRun(april.run.id),
      /1 unrated, 0 not yet rated \(1 of earlier periods\)/
    )
    await finalizeRun(april.run.id, { allowUnrated: true })
    const claimed = await db.from('usage_records').where('id', late.id).first()
    assert.equal(Number(claimed.invoice_id), aprilInvoice.id)
    assert.equal(
      await db
        .from('usage_records')
        .where('invoice_id', aprilInvoice.id)
        .count('* as n')
        .first()
        .then((r) => Number(r.n)),
      3
    )
    const unrated = await db
      .from('usage_records')
      .where('customer_id', f.customer.id)
      .where('rating_status', 'unrated')
    assert.isTrue(
      unrated.every((r) => r.invoice_id === null),
      'the unrated March record stays unbilled'
    )
    assert.isTrue(
      (await db
        .from('usage_records')
        .where('invoice_id', marchInvoice.id)
        .count('* as n')
        .first()
        .then((r) => Number(r.n))) > 0
    )

    // …and the May draft, which showed the straggler too, cannot be finalized until regenerated.
    await assert.rejects(
      () => finalizeRun(may.run.id, { allowUnrated: true }),
      /changed since the draft was built/
    )
    const mayAgain = await regenerateRun(may.run.id)
    const mayLines = await linesOf(mayAgain.invoices[0].id)
    assert.isFalse(
      mayLines.some((l) => l.usagePeriod !== null),
      'the May invoice does not bill the March record again'
    )
    await finalizeRun(may.run.id, { allowUnrated: true })
    const mayInvoice = await Invoice.findOrFail(mayAgain.invoices[0].id)
    assertAddsUp(assert, mayInvoice, mayLines)
    assert.equal(
      Number((await db.from('usage_records').where('id', late.id).first()).invoice_id),
      aprilInvoice.id
    )
  })

  test('a record rated after its month was finalized is billed on the next run; every record once', async ({
    assert,
  }) => {
    const f = await makeBillingFixture({
      period: '2026-03',
      employees: 1,
      recordsPerService: 2,
      unallocatedRecords: 0,
      recurring: false,
    })
    const unratedLate = await addRecord(f, 0, '2026-03', 'march-unrated', null)
    const march = await createRun({ period: '2026-03', customerIds: [f.customer.id] })
    await finalizeRun(march.run.id, { allowUnrated: true })

    // Nothing else to bill in April: the still-unrated March record does not make an invoice.
    const empty = await createRun({ period: '2026-04', customerIds: [f.customer.id] })
    assert.lengthOf(empty.invoices, 0)

    // It is rated (tariff fixed); the next run bills it labelled March, and finalize claims it.
    await db
      .from('usage_records')
      .where('id', unratedLate.id)
      .update({ rating_status: 'rated', price_e4: 5555 })
    const april = await createRun({ period: '2026-04', customerIds: [f.customer.id] })
    assert.lengthOf(april.invoices, 1)
    const lines = await linesOf(april.invoices[0].id)
    assert.deepEqual(
      lines.map((l) => [l.usagePeriod, l.quantity, l.amountMinor]),
      [['2026-03', 1, e4ToMinor(5555)]]
    )
    await finalizeRun(april.run.id)
    const invoice = await Invoice.findOrFail(april.invoices[0].id)
    assertAddsUp(assert, invoice, lines)
    assert.equal(
      Number((await db.from('usage_records').where('id', unratedLate.id).first()).invoice_id),
      invoice.id
    )

    const all = await db.from('usage_records').where('customer_id', f.customer.id)
    assert.isTrue(
      all.every((r) => r.invoice_id !== null),
      'every record is billed'
    )
    const billedTwice = await db
      .from('invoice_lines')
      .join('invoices', 'invoices.id', 'invoice_lines.invoice_id')
      .where('invoices.customer_id', f.customer.id)
      .where('invoice_lines.kind', 'usage')
      .sum('invoice_lines.quantity as n')
      .first()
    assert.equal(Number(billedTwice.n), all.length, 'each record is on exactly one invoice line')
  })
})
