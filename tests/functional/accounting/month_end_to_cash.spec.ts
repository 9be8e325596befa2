import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { truncateAll } from '#tests/helpers/migrate'
import { startFakeGoCardless, type FakeGoCardless } from '#tests/helpers/peers/gocardless_server'
import { startSmtpPeer, decodedHeader } from '#tests/helpers/smtp_peer'
import { makeUser } from '#tests/helpers/factories'
import { smtpMailer } from '#mails/mailers'
import { createRun, finalizeRun } from '#billing/runs'
import { enterMandate } from '#payments/gocardless_mandates'
import { agedDebt } from '#payments/aged_debt'
import { runDunning } from '#payments/dunning'
import { setDunningSettings } from '#payments/dunning_settings'
import { createEndpoint } from '#webhooks/endpoints'
import { deliverDueWebhooks } from '#webhooks/sender'
import { saveSellerDetails } from '#einvoice/seller'
import { saveCustomerEInvoicing } from '#einvoice/customer_details'
import { makeBillingFixture } from '../billing/fixtures.js'
import { minor, readCsv, startReceiver, sum } from './support.js'

const SECRET = 'whsec_month_end'
const gocardlessUrl = () =>
  `http://${process.env.HOST ?? 'localhost'}:${process.env.PORT}/webhooks/gocardless`

/**
 * Issue 14's "done when": a month end from draft to cash. One customer pays by Direct Debit, the
 * other does not pay; every step goes through the real peers (GoCardless over HTTP, SMTP, a
 * webhook receiver) and the files an accountant imports are read back and summed.
 */
test.group('accounting: a month end from draft to cash', (group) => {
  let gc: FakeGoCardless
  group.each.setup(async () => {
    await truncateAll()
    gc = await startFakeGoCardless()
    const before = process.env.OUTBOUND_ALLOW_HOSTS
    process.env.OUTBOUND_ALLOW_HOSTS = '127.0.0.1'
    process.env.GOCARDLESS_ACCESS_TOKEN = gc.token
    process.env.GOCARDLESS_API_URL = gc.url
    process.env.GOCARDLESS_WEBHOOK_SECRET = SECRET
    return async () => {
      delete process.env.GOCARDLESS_ACCESS_TOKEN
      delete process.env.GOCARDLESS_API_URL
      delete process.env.GOCARDLESS_WEBHOOK_SECRET
      if (before === undefined) delete process.env.OUTBOUND_ALLOW_HOSTS
      else process.env.OUTBOUND_ALLOW_HOSTS = before
      await gc.close()
    }
  })

  test('finalize → Direct Debit created → GoCardless marks it paid → aged debt → Xero/Sage/QuickBooks files and UBL e-invoices → one reminder for the unpaid customer', async ({
    assert,
    client,
    cleanup,
  }) => {
    const smtp = await startSmtpPeer()
    cleanup(() => smtp.close())
    const receiver = await startReceiver()
    cleanup(receiver.close)
    await createEndpoint(
      { url: receiver.url, events: ['invoice.finalized', 'invoice.paid', 'invoice.overdue'] },
      null
    )

    const payer = await makeBillingFixture({ employees: 2, recordsPerService: 3 })
    const debtor = await makeBillingFixture({ employees: 1, recordsPerService: 2 })
    // What a Peppol e-invoice needs of the seller and of each buyer (the e-invoicing pages' fields).
    await saveSellerDetails(
      {
        street: '10 Exchange Street',
        city: 'Manchester',
        postcode: 'M2 7EE',
        country: 'GB',
        endpointScheme: '9932',
        endpointId: 'GB123456789',
      },
      null
    )
    for (const f of [payer, debtor])
      await saveCustomerEInvoicing(
        f.customer.id,
        {
          address: { street: '1 High Street', city: 'London', postcode: 'EC1A 1AA', country: 'GB' },
          vatCategory: 'S',
          attachUbl: false,
          rules: [],
        },
        null
      )
    gc.mandates.set('MD000MONTHEND', {
      id: 'MD000MONTHEND',
      status: 'active',
      next_possible_charge_date: '2026-01-01',
      scheme: 'bacs',
    })
    await enterMandate(payer.customer.id, 'MD000MONTHEND')

    // 1. The draft run is finalized: two invoices, one Direct Debit collection at GoCardless.
    const { run } = await createRun({
      period: payer.period,
      customerIds: [payer.customer.id, debtor.customer.id],
    })
    await finalizeRun(run.id)
    const invoices = await db.from('invoices').where('billing_run_id', run.id).orderBy('id')
    assert.lengthOf(invoices, 2)
    const paidInvoice = invoices.find((i: any) => Number(i.customer_id) === payer.customer.id)
    const unpaidInvoice = invoices.find((i: any) => Number(i.customer_id) === debtor.customer.id)
    assert.equal(gc.payments.size, 1)
    const collection = await db
      .from('direct_debit_payments')
      .where('invoice_id', paidInvoice.id)
      .firstOrFail()
    assert.equal(gc.payments.get(collection.gc_payment_id)!.amount, Number(paidInvoice.total_minor))
    assert.isNull(
      await db.from('direct_debit_payments').where('invoice_id', unpaidInvoice.id).first()
    )

    // 2. GoCardless's signed webhook confirms the collection: a payment settles the invoice.
    const event = {
      id: 'EVMONTHEND1',
      created_at: '2026-11-25T10:00:00.000Z',
      resource_type: 'payments',
      action: 'confirmed',
      links: { payment: collection.gc_payment_id },
      details: { origin: 'gocardless', cause: 'payment_confirmed', description: 'Confirmed.' },
    }
    const answer = await gc.sendWebhook(gocardlessUrl(), [event], SECRET)
    assert.equal(answer.status, 200)
    const payment = await db.from('payments').where('customer_id', payer.customer.id).firstOrFail()
    assert.equal(Number(payment.amount_minor), Number(paidInvoice.total_minor))
    assert.equal(payment.method, 'direct_debit')

    // 3. Aged debt: the payer owes nothing, the debtor owes the whole invoice, not yet due.
    const issued = DateTime.fromJSDate(new Date(paidInvoice.issue_date)).toISODate()!
    const due = String(
      unpaidInvoice.due_date instanceof Date
        ? DateTime.fromJSDate(unpaidInvoice.due_date).toISODate()
        : unpaidInvoice.due_date
    ).slice(0, 10)
    const beforeDue = await agedDebt({
      now: DateTime.fromISO(due, { zone: 'Europe/London' }).toJSDate(),
    })
    assert.deepEqual(
      beforeDue.rows.map((r) => [r.customerId, r.owedMinor, r.buckets.current]),
      [[debtor.customer.id, Number(unpaidInvoice.total_minor), Number(unpaidInvoice.total_minor)]]
    )
    const viewer = await makeUser('viewer')
    const page = await client.get('/aged-debt').withInertia().loginAs(viewer)
    assert.equal(page.inertiaProps.rows.length, 1)

    // 4. The accountant's files: sales sum to the run's invoices, receipts to the Direct Debit.
    const runTotal = sum(invoices.map((i: any) => Number(i.total_minor)))
    const files = async (product: string, file: string) => {
      const response = await client
        .get(`/accounting/exports/download?product=${product}&file=${file}&runId=${run.id}`)
        .loginAs(viewer)
      response.assertStatus(200)
      return readCsv(response.text()).records
    }
    assert.equal(
      sum((await files('xero', 'sales')).map((r) => minor(r['*UnitAmount']) + minor(r.TaxAmount))),
      runTotal
    )
    assert.equal(
      sum(
        (await files('sage', 'sales')).map((r) => minor(r['Net Amount']) + minor(r['Tax Amount']))
      ),
      runTotal
    )
    assert.equal(
      sum(
        (await files('quickbooks', 'sales')).map(
          (r) => minor(r.ItemAmount) + minor(r.ItemTaxAmount)
        )
      ),
      runTotal
    )
    const receipts = await files('sage', 'payments')
    assert.deepEqual(
      receipts.map((r) => [r.Type, minor(r['Net Amount'])]),
      [['SA', Number(paidInvoice.total_minor)]]
    )
    assert.equal(
      sum((await files('xero', 'payments')).map((r) => minor(r['*Amount']))),
      Number(paidInvoice.total_minor)
    )
    const range = await client
      .get(`/accounting/exports/download?product=xero&file=sales&from=${issued}&to=${issued}`)
      .loginAs(viewer)
    assert.equal(
      sum(readCsv(range.text()).records.map((r) => minor(r['*UnitAmount']) + minor(r.TaxAmount))),
      runTotal
    )

    // 4b. The e-invoices: each invoice's UBL carries the invoice's own total and VAT.
    for (const invoice of invoices) {
      const response = await client.get(`/invoices/${invoice.id}/ubl`).loginAs(viewer)
      response.assertStatus(200)
      const xml = response.text()
      assert.include(xml, `<cbc:ID>${invoice.number}</cbc:ID>`)
      const payable = /<cbc:PayableAmount currencyID="GBP">([\d.]+)<\/cbc:PayableAmount>/.exec(xml)
      assert.equal(minor(payable![1]), Number(invoice.total_minor), invoice.number)
      const vat = /<cac:TaxTotal>\s*<cbc:TaxAmount currencyID="GBP">([\d.]+)</.exec(xml)
      assert.equal(minor(vat![1]), Number(invoice.tax_minor), invoice.number)
    }

    // 5. A week past the due date: one reminder, to the customer who has not paid; never a second.
    await db.transaction((trx) =>
      setDunningSettings({ enabled: true, schedule: '7', suspendPortal: false }, trx)
    )
    const mailer = smtpMailer({ host: '127.0.0.1', port: smtp.port })
    const later = DateTime.fromISO(due, { zone: 'utc' }).plus({ days: 8, hours: 12 }).toJSDate()
    assert.include(await runDunning({ now: later, mailer }), { sent: 1 })
    assert.include(await runDunning({ now: later, mailer }), { sent: 0 })
    assert.lengthOf(smtp.messages, 1)
    assert.include(smtp.messages[0].to, String(debtor.customer.billingEmail))
    assert.include(decodedHeader(smtp.messages[0].raw, 'Subject')!, unpaidInvoice.number)
    const aged = await agedDebt({ now: later })
    assert.equal(aged.rows[0].buckets.d1_30, Number(unpaidInvoice.total_minor))

    // The reseller's other systems heard each step once.
    await deliverDueWebhooks()
    assert.deepEqual(
      receiver
        .ofType('invoice.finalized')
        .map((r) => r.json.data.invoice.id)
        .sort(),
      invoices.map((i: any) => i.id).sort()
    )
    assert.deepEqual(
      receiver.ofType('invoice.paid').map((r) => r.json.data.invoice.id),
      [paidInvoice.id]
    )
    assert.deepEqual(
      receiver.ofType('invoice.overdue').map((r) => r.json.data.invoice.id),
      [unpaidInvoice.id]
    )
  })
})
