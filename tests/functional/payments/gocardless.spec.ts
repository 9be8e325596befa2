import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { truncateAll } from '#tests/helpers/migrate'
import { startFakeGoCardless, type FakeGoCardless } from '#tests/helpers/peers/gocardless_server'
import { startSmtpPeer, decodedHeader } from '#tests/helpers/smtp_peer'
import { smtpMailer } from '#mails/mailers'
import { createRun, finalizeRun } from '#billing/runs'
import {
  enterMandate,
  startRedirectFlow,
  completeRedirectFlow,
} from '#payments/gocardless_mandates'
import { collectDirectDebits, idempotencyKeyFor } from '#payments/gocardless_payments'
import { invoiceBalance } from '#payments/balances'
import { runDunning } from '#payments/dunning'
import { setDunningSettings } from '#payments/dunning_settings'
import { makeBillingFixture } from '../billing/fixtures.js'
import { makeUser } from '#tests/helpers/factories'

const SECRET = 'whsec_test_secret'
const webhookUrl = () =>
  `http://${process.env.HOST ?? 'localhost'}:${process.env.PORT}/webhooks/gocardless`

test.group('payments: Direct Debit through GoCardless', (group) => {
  let gc: FakeGoCardless
  group.each.setup(async () => {
    await truncateAll()
    gc = await startFakeGoCardless()
    process.env.GOCARDLESS_ACCESS_TOKEN = gc.token
    process.env.GOCARDLESS_API_URL = gc.url
    process.env.GOCARDLESS_WEBHOOK_SECRET = SECRET
    return async () => {
      delete process.env.GOCARDLESS_ACCESS_TOKEN
      delete process.env.GOCARDLESS_API_URL
      delete process.env.GOCARDLESS_WEBHOOK_SECRET
      await gc.close()
    }
  })

  test('a mandate is entered by id or through the hosted redirect flow; a bad one is refused', async ({
    assert,
  }) => {
    const a = await makeBillingFixture({
      employees: 1,
      recordsPerService: 1,
      unallocatedRecords: 0,
    })
    gc.mandates.set('MD000ACTIVE', {
      id: 'MD000ACTIVE',
      status: 'active',
      next_possible_charge_date: '2026-01-01',
      scheme: 'bacs',
    })
    gc.mandates.set('MD000CANCEL', {
      id: 'MD000CANCEL',
      status: 'cancelled',
      next_possible_charge_date: '2026-01-01',
      scheme: 'bacs',
    })
    await assert.rejects(
      () => enterMandate(a.customer.id, 'MD000NOPE'),
      /GoCardless has no mandate MD000NOPE/
    )
    await assert.rejects(
      () => enterMandate(a.customer.id, 'MD000CANCEL'),
      /is cancelled; it cannot be charged/
    )
    assert.equal(Number((await db.from('direct_debit_mandates').count('* as n').first()).n), 0)
    assert.equal(await enterMandate(a.customer.id, 'MD000ACTIVE'), 'MD000ACTIVE')

    const b = await makeBillingFixture({
      employees: 1,
      recordsPerService: 1,
      unallocatedRecords: 0,
    })
    const url = await startRedirectFlow(
      b.customer.id,
      'https://tollgate.example/customers/2/direct-debit/complete'
    )
    const flowId = /\/flow\/(RE\d+)$/.exec(url)![1]
    const sent = gc.requests.find((r) => r.path === '/redirect_flows')!
    assert.equal(sent.body.redirect_flows.prefilled_customer.company_name, b.customer.name)
    assert.isString(sent.idempotencyKey)
    const mandate = await completeRedirectFlow(b.customer.id, flowId)
    assert.match(mandate, /^MD/)
    const row = await db.from('direct_debit_mandates').where('customer_id', b.customer.id).first()
    assert.equal(row.status, 'active')
    assert.isNull(row.session_token)
  })

  test('finalizing a run creates one GoCardless payment per invoice with its idempotency key; retries never charge twice', async ({
    assert,
  }) => {
    const f = await makeBillingFixture({ employees: 2, recordsPerService: 2 })
    gc.mandates.set('MD000ACTIVE', {
      id: 'MD000ACTIVE',
      status: 'active',
      next_possible_charge_date: '2026-01-01',
      scheme: 'bacs',
    })
    await enterMandate(f.customer.id, 'MD000ACTIVE')
    const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    gc.failNextPayment = 500
    await finalizeRun(run.id)
    const invoice = await db.from('invoices').where('billing_run_id', run.id).firstOrFail()
    let row = await db.from('direct_debit_payments').where('invoice_id', invoice.id).firstOrFail()
    assert.equal(
      row.status,
      'error',
      'GoCardless answered 500: recorded, the run is still finalized'
    )
    assert.match(row.last_error, /GoCardless 500/)
    assert.equal((await db.from('billing_runs').where('id', run.id).first()).status, 'finalized')

    // The scheduler retries with the same key.
    assert.include(await collectDirectDebits(), { created: 1, errors: 0 })
    row = await db.from('direct_debit_payments').where('invoice_id', invoice.id).firstOrFail()
    assert.equal(row.status, 'pending_submission')
    const payment = gc.payments.get(row.gc_payment_id)!
    assert.equal(payment.amount, Number(invoice.total_minor))
    assert.equal(
      payment.charge_date,
      String(
        row.charge_date instanceof Date ? row.charge_date.toISOString() : row.charge_date
      ).slice(0, 10)
    )
    assert.equal(payment.links.mandate, 'MD000ACTIVE')
    const posts = gc.requests.filter((r) => r.method === 'POST' && r.path === '/payments')
    assert.deepEqual(
      [...new Set(posts.map((p) => p.idempotencyKey))],
      [idempotencyKeyFor(invoice.id)]
    )

    // A crash after GoCardless created it but before we stored the id: the same key adopts the same payment.
    await db
      .from('direct_debit_payments')
      .where('id', row.id)
      .update({ gc_payment_id: null, status: 'creating' })
    await collectDirectDebits()
    assert.equal(
      (await db.from('direct_debit_payments').where('id', row.id).first()).gc_payment_id,
      payment.id
    )
    assert.equal(gc.payments.size, 1)
    assert.include(await collectDirectDebits({ invoiceIds: [invoice.id] }), { created: 0 })
  })

  test('signed webhooks confirm the payment, a charge-back reopens the invoice and dunning reminds; bad signatures are refused', async ({
    assert,
    cleanup,
  }) => {
    const peer = await startSmtpPeer()
    cleanup(() => peer.close())
    const f = await makeBillingFixture({ employees: 1, recordsPerService: 2 })
    gc.mandates.set('MD000ACTIVE', {
      id: 'MD000ACTIVE',
      status: 'active',
      next_possible_charge_date: '2026-01-01',
      scheme: 'bacs',
    })
    await enterMandate(f.customer.id, 'MD000ACTIVE')
    const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    await finalizeRun(run.id)
    const invoice = await db.from('invoices').where('billing_run_id', run.id).firstOrFail()
    const dd = await db.from('direct_debit_payments').where('invoice_id', invoice.id).firstOrFail()
    const event = (id: string, action: string) => ({
      id,
      created_at: '2026-12-20T10:00:00.000Z',
      resource_type: 'payments',
      action,
      links: { payment: dd.gc_payment_id },
      details: { origin: 'gocardless', cause: action, description: `The payment was ${action}.` },
    })

    const forged = await gc.sendWebhook(
      webhookUrl(),
      [event('EV1', 'confirmed')],
      SECRET,
      'deadbeef'
    )
    assert.equal(forged.status, 498)
    const wrongSecret = await gc.sendWebhook(
      webhookUrl(),
      [event('EV1', 'confirmed')],
      'another-secret'
    )
    assert.equal(wrongSecret.status, 498)
    assert.equal(Number((await db.from('payments').count('* as n').first()).n), 0)

    const ok = await gc.sendWebhook(
      webhookUrl(),
      [event('EV0', 'submitted'), event('EV1', 'confirmed')],
      SECRET
    )
    assert.equal(ok.status, 200)
    assert.equal((await invoiceBalance(invoice.id))!.status, 'paid')
    const again = await gc.sendWebhook(webhookUrl(), [event('EV1', 'confirmed')], SECRET)
    assert.deepEqual(JSON.parse(again.body).outcomes, { duplicate: 1 })
    assert.equal(
      Number((await db.from('payments').where('method', 'direct_debit').count('* as n').first()).n),
      1
    )
    await gc.sendWebhook(webhookUrl(), [event('EV2', 'paid_out')], SECRET)
    assert.equal(
      (await db.from('direct_debit_payments').where('id', dd.id).first()).status,
      'paid_out'
    )

    await gc.sendWebhook(webhookUrl(), [event('EV3', 'charged_back')], SECRET)
    const after = await db.from('direct_debit_payments').where('id', dd.id).first()
    assert.equal(after.status, 'charged_back')
    assert.isNull(after.payment_id)
    assert.equal(Number((await db.from('payments').count('* as n').first()).n), 0)
    const balance = (await invoiceBalance(invoice.id))!
    assert.equal(balance.outstandingMinor, Number(invoice.total_minor))

    // Failure → dunning: a week past the due date the customer gets the first reminder.
    await db.transaction((trx) =>
      setDunningSettings({ enabled: true, schedule: '7', suspendPortal: false }, trx)
    )
    const due = DateTime.fromISO(balance.dueDate!, { zone: 'utc' })
    const result = await runDunning({
      now: due.plus({ days: 8, hours: 12 }).toJSDate(),
      mailer: smtpMailer({ host: '127.0.0.1', port: peer.port }),
    })
    assert.include(result, { sent: 1 })
    assert.include(decodedHeader(peer.messages[0].raw, 'Subject')!, invoice.number)
  })

  test('staff set up Direct Debit from the account page; viewers cannot', async ({
    client,
    assert,
  }) => {
    const f = await makeBillingFixture({
      employees: 1,
      recordsPerService: 1,
      unallocatedRecords: 0,
    })
    gc.mandates.set('MD000ACTIVE', {
      id: 'MD000ACTIVE',
      status: 'active',
      next_possible_charge_date: '2026-01-01',
      scheme: 'bacs',
    })
    const billing = await makeUser('billing')
    const viewer = await makeUser('viewer')
    const denied = await client
      .post(`/customers/${f.customer.id}/direct-debit/mandate`)
      .json({ mandateId: 'MD000ACTIVE' })
      .loginAs(viewer)
      .withCsrfToken()
    denied.assertStatus(403)
    const bad = await client
      .post(`/customers/${f.customer.id}/direct-debit/mandate`)
      .json({ mandateId: 'nonsense' })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    bad.assertStatus(200)
    assert.equal(
      bad.inertiaProps.errors.mandateId,
      'A GoCardless mandate id looks like MD000123ABC'
    )
    await client
      .post(`/customers/${f.customer.id}/direct-debit/mandate`)
      .json({ mandateId: 'MD000ACTIVE' })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    const page = await client
      .get(`/customers/${f.customer.id}/account`)
      .withInertia()
      .loginAs(viewer)
    assert.deepEqual(page.inertiaProps.directDebit.mandate, { id: 'MD000ACTIVE', status: 'active' })
    const start = await client
      .post(`/customers/${f.customer.id}/direct-debit/redirect`)
      .json({})
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    start.assertStatus(409)
    assert.match(start.header('x-inertia-location')!, new RegExp(`^${gc.url}/flow/RE\\d+$`))
  })
})
