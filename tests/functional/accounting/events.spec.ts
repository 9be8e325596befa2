import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeEmployee } from '#tests/helpers/factories'
import { startSmtpPeer } from '#tests/helpers/smtp_peer'
import { smtpMailer } from '#mails/mailers'
import { createEndpoint } from '#webhooks/endpoints'
import { deliverDueWebhooks } from '#webhooks/sender'
import { verifySignatureHeader } from '#webhooks/signing'
import { recordPayment } from '#payments/payments'
import { runDunning } from '#payments/dunning'
import { checkBillShock } from '#billing/bill_shock'
import { saveGuardSettings, GUARD_DEFAULTS } from '#billing/guard_settings'
import { setSettings } from '#billing/settings'
import { makeInvoice } from '../payments/support.js'
import { startReceiver } from './support.js'

const signed = (secret: string, r: { headers: Record<string, any>; body: string }) =>
  verifySignatureHeader(
    secret,
    String(r.headers['tollgate-signature']),
    r.body,
    Math.floor(Date.now() / 1000)
  )

test.group(
  'accounting: invoice.paid, invoice.overdue and bill_shock.detected webhooks',
  (group) => {
    group.each.setup(async () => {
      await truncateAll()
      const before = process.env.OUTBOUND_ALLOW_HOSTS
      process.env.OUTBOUND_ALLOW_HOSTS = '127.0.0.1'
      return () => {
        if (before === undefined) delete process.env.OUTBOUND_ALLOW_HOSTS
        else process.env.OUTBOUND_ALLOW_HOSTS = before
      }
    })

    test('invoice.paid goes once, when the last pound arrives, even if the invoice is reopened and paid again', async ({
      assert,
      cleanup,
    }) => {
      const receiver = await startReceiver()
      cleanup(receiver.close)
      const { secret } = await createEndpoint({ url: receiver.url, events: ['invoice.paid'] }, null)
      const customer = await makeCustomer()
      const invoice = await makeInvoice(customer, {
        totalMinor: 12_000,
        issueDate: '2026-11-02',
        dueDate: '2026-12-02',
        period: '2026-10',
      })
      await recordPayment({
        customerId: customer.id,
        receivedOn: '2026-11-10',
        amountMinor: 5_000,
        method: 'bank_transfer',
        allocations: [{ invoiceId: invoice.id, amountMinor: 5_000 }],
      })
      await deliverDueWebhooks()
      assert.lengthOf(receiver.received, 0, 'part-paid is not paid')

      const last = await recordPayment({
        customerId: customer.id,
        receivedOn: '2026-11-12',
        amountMinor: 7_000,
        method: 'card',
        allocations: [{ invoiceId: invoice.id, amountMinor: 7_000 }],
      })
      await deliverDueWebhooks()
      // The charge-back path: the payment is taken away (as GoCardless failures do), the invoice owes again and is paid again.
      await db.from('payment_allocations').where('payment_id', last.id).delete()
      await db.from('payments').where('id', last.id).delete()
      await recordPayment({
        customerId: customer.id,
        receivedOn: '2026-11-20',
        amountMinor: 7_000,
        method: 'bank_transfer',
        allocations: [{ invoiceId: invoice.id, amountMinor: 7_000 }],
      })
      await deliverDueWebhooks()

      const paid = receiver.ofType('invoice.paid')
      assert.lengthOf(paid, 1)
      assert.isTrue(signed(secret, paid[0]))
      assert.equal(paid[0].json.type, 'invoice.paid')
      assert.deepEqual(paid[0].json.data.invoice, {
        id: invoice.id,
        number: invoice.number,
        period: '2026-10',
        issue_date: '2026-11-02',
        due_date: '2026-12-02',
        currency: 'GBP',
        subtotal_minor: 10_000,
        tax_minor: 2_000,
        total_minor: 12_000,
      })
      assert.deepEqual(paid[0].json.data.settlement, {
        paid_minor: 12_000,
        credited_minor: 0,
        outstanding_minor: 0,
      })
      assert.equal(paid[0].json.data.customer.account_number, customer.accountNumber)
    })

    test('invoice.overdue goes once, on the first day past the due date where the customer is', async ({
      assert,
      cleanup,
    }) => {
      const receiver = await startReceiver()
      cleanup(receiver.close)
      const { secret } = await createEndpoint(
        { url: receiver.url, events: ['invoice.overdue'] },
        null
      )
      const tokyo = await makeCustomer({ timeZone: 'Asia/Tokyo' })
      const london = await makeCustomer({ timeZone: 'Europe/London' })
      const late = await makeInvoice(tokyo, {
        totalMinor: 6_000,
        issueDate: '2026-10-02',
        dueDate: '2026-11-01',
      })
      await makeInvoice(london, {
        totalMinor: 6_000,
        issueDate: '2026-10-02',
        dueDate: '2026-11-01',
      })
      const settled = await makeInvoice(tokyo, {
        totalMinor: 3_000,
        issueDate: '2026-10-02',
        dueDate: '2026-11-01',
        period: '2026-09',
      })
      await recordPayment({
        customerId: tokyo.id,
        receivedOn: '2026-10-20',
        amountMinor: 3_000,
        method: 'cash',
        allocations: [{ invoiceId: settled.id, amountMinor: 3_000 }],
      })

      await runDunning({ now: new Date('2026-11-01T14:00:00Z') }) // 23:00 on 1 November in Tokyo: not yet
      await deliverDueWebhooks()
      assert.lengthOf(receiver.ofType('invoice.overdue'), 0)
      await runDunning({ now: new Date('2026-11-01T16:00:00Z') }) // 01:00 on 2 November in Tokyo, still 1 November in London
      await runDunning({ now: new Date('2026-11-01T17:00:00Z') })
      await deliverDueWebhooks()
      const overdue = receiver.ofType('invoice.overdue')
      assert.lengthOf(overdue, 1)
      assert.isTrue(signed(secret, overdue[0]))
      assert.equal(overdue[0].json.data.invoice.id, late.id)
      assert.equal(overdue[0].json.data.outstanding_minor, 6_000)
      assert.equal(overdue[0].json.data.days_overdue, 1)
      assert.equal(overdue[0].json.data.customer.id, tokyo.id)

      await runDunning({ now: new Date('2026-11-02T01:00:00Z') }) // London's invoice is now late too; Tokyo's is not sent again
      await deliverDueWebhooks()
      assert.deepEqual(
        receiver.ofType('invoice.overdue').map((r) => r.json.data.customer.id),
        [tokyo.id, london.id]
      )
    })

    test('bill_shock.detected goes once per threshold and month, for the customer and for an employee', async ({
      assert,
      cleanup,
    }) => {
      const receiver = await startReceiver()
      cleanup(receiver.close)
      const peer = await startSmtpPeer()
      cleanup(() => peer.close())
      await setSettings({ supplier_email: 'billing@reseller.example' })
      const { secret } = await createEndpoint(
        { url: receiver.url, events: ['bill_shock.detected'] },
        null
      )
      await saveGuardSettings({
        ...GUARD_DEFAULTS,
        shockCustomerMinor: [50_000],
        shockEmployeeMinor: [10_000],
      })
      const customer = await makeCustomer()
      const { id: employeeId } = await makeEmployee(customer, { name: 'Ann Roamer' })
      const rated = (priceE4: number, employee: number | null) =>
        db.table('usage_records').insert({
          customer_id: customer.id,
          source: 'test:shock',
          dedupe_key: `s-${Math.random()}`,
          identifier: '+447700900123',
          employee_id: employee,
          occurred_at: '2026-11-10 10:00:00',
          period: '2026-11',
          category: 'roaming',
          destination: '447700900999',
          duration_s: 60,
          quantity: 1,
          price_e4: priceE4,
          rating_status: 'rated',
        })
      const now = new Date('2026-11-18T12:00:00Z')
      const mailer = smtpMailer({ host: '127.0.0.1', port: peer.port })

      await rated(1_500_000, Number(employeeId)) // Ann: £150
      await checkBillShock(customer.id, ['2026-11'], { now, mailer })
      await rated(4_000_000, null) // the customer: £550
      await checkBillShock(customer.id, ['2026-11'], { now, mailer })
      await checkBillShock(customer.id, ['2026-11'], { now, mailer })
      await deliverDueWebhooks()

      const shocks = receiver.ofType('bill_shock.detected')
      assert.lengthOf(shocks, 2)
      assert.isTrue(shocks.every((s) => signed(secret, s)))
      const [employee, whole] = shocks.map((s) => s.json.data)
      assert.deepEqual(employee.employee, { id: Number(employeeId), name: 'Ann Roamer' })
      assert.deepEqual(
        { ...employee.alert, id: 0 },
        { id: 0, period: '2026-11', currency: 'GBP', threshold_minor: 10_000, amount_minor: 15_000 }
      )
      assert.isNull(whole.employee)
      assert.include(whole.alert, { threshold_minor: 50_000, amount_minor: 55_000 })
      assert.deepEqual(whole.customer, {
        id: customer.id,
        account_number: customer.accountNumber,
        name: customer.name,
      })
      assert.equal(Number((await db.from('bill_shock_alerts').count('* as n').first()).n), 2)
    })
  }
)
