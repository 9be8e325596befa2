import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import { DateTime } from 'luxon'
import drive from '@adonisjs/drive/services/main'
import Invoice from '#models/invoice'
import Delivery from '#models/delivery'
import { createRun, finalizeRun } from '#billing/runs'
import { queueDeliveries, deliverDue, resendDelivery, MAX_ATTEMPTS } from '#deliveries/deliveries'
import { storeInvoicePdfs } from '#documents/invoice_pdf'
import { smtpMailer } from '#mails/mailers'
import { formatMoney } from '#lib/money'
import { truncateAll } from '#tests/helpers/migrate'
import {
  startSmtpPeer,
  attachmentOf,
  header,
  pdfText,
  type SmtpPeer,
} from '#tests/helpers/smtp_peer'
import { makeBillingFixture } from './fixtures.js'

/** "£1,234.56" → 123456 */
const minor = (text: string) => Math.round(Number(text.replace(/[£,]/g, '')) * 100)

test.group('Invoice PDF and email delivery', (group) => {
  let peer: SmtpPeer
  group.each.setup(async () => {
    await truncateAll()
    peer = await startSmtpPeer()
    return () => peer.close()
  })

  test('the customer receives the invoice PDF whose per-employee totals add up to the invoice total; never twice', async ({
    assert,
  }) => {
    const f = await makeBillingFixture({
      employees: 4,
      recordsPerService: 5,
      unallocatedRecords: 3,
      itemise: true,
    })
    const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    await finalizeRun(run.id)
    const invoice = await Invoice.findByOrFail('billing_run_id', run.id)
    const stored = await storeInvoicePdfs([invoice.id])
    await invoice.refresh()
    assert.equal(invoice.pdfSha256, stored.get(invoice.id)!.sha256)
    assert.match(invoice.pdfPath!, new RegExp(`^invoices/${invoice.id}-[0-9a-f]{16}\\.pdf$`))
    const onDisk = Buffer.from(await drive.use().getBytes(invoice.pdfPath!))
    assert.equal(createHash('sha256').update(onDisk).digest('hex'), invoice.pdfSha256)

    const queued = await queueDeliveries({ runId: run.id })
    assert.equal(queued.queued, 1)
    const mailer = smtpMailer({ host: '127.0.0.1', port: peer.port })
    const first = await deliverDue({ mailer })
    assert.equal(first.sent, 1)

    assert.lengthOf(peer.messages, 1)
    const message = peer.messages[0]
    assert.deepEqual(message.to, [f.customer.billingEmail])
    assert.include(header(message.raw, 'Subject')!, invoice.number!)
    const pdf = attachmentOf(message.raw)!
    assert.equal(pdf.filename, `${invoice.number}.pdf`)
    assert.isTrue(pdf.content.equals(onDisk), 'the attachment is the stored PDF')

    const text = await pdfText(pdf.content)
    assert.include(text, invoice.number!)
    assert.include(text, 'VAT reg. no.')
    const perEmployee = [...text.matchAll(/Total (Employee [A-Z] Smith): (£[\d,]+\.\d\d)/g)]
    assert.lengthOf(perEmployee, 4)
    for (const [, name, amount] of perEmployee)
      assert.equal(minor(amount), f.expectedByEmployee.get(name), name)
    const unallocated = /Total Unallocated: (£[\d,]+\.\d\d)/.exec(text)!
    assert.equal(minor(unallocated[1]), f.expectedUnallocatedMinor)
    const sum =
      perEmployee.reduce((s, [, , amount]) => s + minor(amount), 0) + minor(unallocated[1])
    assert.equal(sum, invoice.subtotalMinor)
    assert.include(text, `Subtotal (net)`)
    assert.match(
      text,
      new RegExp(
        `Total\\s+${formatMoney(invoice.totalMinor).replace('£', '£').replace('.', '\\.')}`
      )
    )
    assert.equal(invoice.subtotalMinor + invoice.taxMinor, invoice.totalMinor)
    assert.include(text, 'Appendix: itemised charges')

    const delivery = await Delivery.findByOrFail('invoice_id', invoice.id)
    assert.equal(delivery.status, 'sent')
    assert.equal(delivery.attempts, 1)
    assert.isNotNull(delivery.messageId)
    assert.equal(header(message.raw, 'Message-ID'), delivery.messageId)

    // Sending again (scheduler tick, a second queue call, a resend request) never sends it twice.
    await queueDeliveries({ runId: run.id })
    const second = await deliverDue({ mailer, now: DateTime.now().plus({ days: 1 }) })
    assert.equal(second.sent, 0)
    await assert.rejects(() => resendDelivery(delivery.id), /already sent/)
    assert.lengthOf(peer.messages, 1)
  })

  test("the customer's other billing contacts get a copy of the same message", async ({
    assert,
  }) => {
    const f = await makeBillingFixture({ employees: 1, recordsPerService: 2 })
    await f.customer
      .merge({
        billingContacts: `Finance Team <finance@customer.example>; ap@customer.example\nnot an address\n${f.customer.billingEmail}`,
      })
      .save()
    const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    await finalizeRun(run.id)
    await queueDeliveries({ runId: run.id })
    const result = await deliverDue({ mailer: smtpMailer({ host: '127.0.0.1', port: peer.port }) })
    assert.equal(result.sent, 1)
    // One message: the billing email in To, the other contacts in Cc (the billing email not twice).
    assert.lengthOf(peer.messages, 1)
    assert.sameMembers(peer.messages[0].to, [
      f.customer.billingEmail!,
      'finance@customer.example',
      'ap@customer.example',
    ])
    assert.equal(
      header(peer.messages[0].raw, 'Cc'),
      'finance@customer.example, ap@customer.example'
    )
  })

  test('an invoice email goes to the billing email the customer has when it is queued', async ({
    assert,
  }) => {
    const f = await makeBillingFixture({ employees: 1, recordsPerService: 1 })
    const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    await finalizeRun(run.id)
    // The customer's accounts address changed after the invoice was finalized (its snapshot keeps the old one).
    await f.customer.merge({ billingEmail: 'new-ap@customer.example' }).save()
    await queueDeliveries({ runId: run.id })
    await deliverDue({ mailer: smtpMailer({ host: '127.0.0.1', port: peer.port }) })
    assert.deepEqual(
      peer.messages.map((m) => m.to),
      [['new-ap@customer.example']]
    )
  })

  test('a failing SMTP server leads to retries with backoff, then a failed delivery; no double send', async ({
    assert,
  }) => {
    const f = await makeBillingFixture()
    const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    await finalizeRun(run.id)
    await queueDeliveries({ runId: run.id })
    peer.failWith = { code: 451, message: 'Temporary local problem' }
    const mailer = smtpMailer({ host: '127.0.0.1', port: peer.port })
    const t0 = DateTime.now()

    const r1 = await deliverDue({ mailer, now: t0 })
    assert.equal(r1.retrying, 1)
    let d = await Delivery.firstOrFail()
    assert.equal(d.status, 'failed')
    assert.equal(d.attempts, 1)
    assert.match(d.lastError!, /451|Temporary/)
    assert.approximately(d.nextAttemptAt!.toMillis(), t0.plus({ minutes: 1 }).toMillis(), 2000)

    // not due yet: nothing happens
    assert.equal((await deliverDue({ mailer, now: t0.plus({ seconds: 30 }) })).outcomes.length, 0)
    await deliverDue({ mailer, now: t0.plus({ minutes: 2 }) })
    d = await Delivery.firstOrFail()
    assert.equal(d.attempts, 2)
    await deliverDue({ mailer, now: t0.plus({ minutes: 8 }) })
    await deliverDue({ mailer, now: t0.plus({ minutes: 40 }) })
    d = await Delivery.firstOrFail()
    assert.equal(d.attempts, MAX_ATTEMPTS)
    assert.equal(d.status, 'failed')
    assert.isNull(d.nextAttemptAt, 'gave up')
    assert.equal((await deliverDue({ mailer, now: t0.plus({ days: 2 }) })).outcomes.length, 0)
    assert.equal(peer.attempts, MAX_ATTEMPTS)
    assert.lengthOf(peer.messages, 0)

    // a person resends once the server is fixed: exactly one message arrives
    peer.failWith = null
    await resendDelivery(d.id)
    await Promise.all([deliverDue({ mailer }), deliverDue({ mailer })])
    await deliverDue({ mailer, now: t0.plus({ days: 3 }) })
    assert.lengthOf(peer.messages, 1)
    d = await Delivery.firstOrFail()
    assert.equal(d.status, 'sent')
  })

  test('two senders working at once send each invoice exactly once', async ({ assert }) => {
    const customers = [
      await makeBillingFixture({ employees: 1 }),
      await makeBillingFixture({ employees: 1 }),
      await makeBillingFixture({ employees: 1 }),
    ]
    const { run } = await createRun({
      period: '2026-10',
      customerIds: customers.map((c) => c.customer.id),
    })
    await finalizeRun(run.id)
    await queueDeliveries({ runId: run.id })
    await storeInvoicePdfs((await Invoice.all()).map((i) => i.id))
    const a = smtpMailer({ host: '127.0.0.1', port: peer.port })
    const b = smtpMailer({ host: '127.0.0.1', port: peer.port })
    const [ra, rb] = await Promise.all([deliverDue({ mailer: a }), deliverDue({ mailer: b })])
    assert.equal(ra.sent + rb.sent, 3)
    assert.lengthOf(peer.messages, 3)
    assert.sameMembers(
      peer.messages.map((m) => m.to[0]),
      customers.map((c) => c.customer.billingEmail!)
    )
  })
})
