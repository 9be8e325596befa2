import { test } from '@japa/runner'
import Invoice from '#models/invoice'
import { createRun, finalizeRun } from '#billing/runs'
import { createCreditNote } from '#billing/credit_notes'
import { formatMoney } from '#lib/money'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { makeBillingFixture } from './fixtures.js'

async function finalizedInvoice() {
  const f = await makeBillingFixture({ employees: 1, recordsPerService: 2 })
  const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
  await finalizeRun(run.id)
  const invoice = await Invoice.query()
    .where('billing_run_id', run.id)
    .where('customer_id', f.customer.id)
    .firstOrFail()
  return { f, invoice }
}

test.group("A customer's invoice history", (group) => {
  group.each.setup(() => truncateAll())

  test('lists the customer’s own invoices with totals and credit notes, for staff only', async ({
    client,
    assert,
  }) => {
    const a = await finalizedInvoice()
    const b = await finalizedInvoice()
    await createCreditNote({ invoiceId: a.invoice.id, reason: 'Overcharge', netMinor: 250 })
    const viewer = await makeUser('viewer')

    const page = await client
      .get(`/customers/${a.f.customer.id}/invoices`)
      .withInertia()
      .loginAs(viewer)
    page.assertStatus(200)
    const props = page.inertiaProps
    page.assertInertiaComponent('invoices/index')
    assert.deepEqual(
      props.invoices.map((i: any) => i.number),
      [a.invoice.number]
    )
    assert.notInclude(JSON.stringify(props), String(b.invoice.number))
    assert.containsSubset(props.invoices[0], {
      id: a.invoice.id,
      status: 'finalized',
      period: a.f.period,
      total: formatMoney(a.invoice.totalMinor, a.invoice.currency),
      creditNotes: 1,
      credited: formatMoney(300, a.invoice.currency),
    })

    const missing = await client.get('/customers/999999/invoices').withInertia().loginAs(viewer)
    missing.assertStatus(404)
    const portal = await makeUser('portal', { customerId: a.f.customer.id })
    const fromPortal = await client
      .get(`/customers/${a.f.customer.id}/invoices`)
      .withInertia()
      .loginAs(portal)
    assert.notEqual(fromPortal.status(), 200)
  }).timeout(60_000)
})
