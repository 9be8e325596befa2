import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { truncateAll } from '#tests/helpers/migrate'
import { startSmtpPeer, decodedHeader, htmlPart, type SmtpPeer } from '#tests/helpers/smtp_peer'
import { smtpMailer } from '#mails/mailers'
import {
  runDunning,
  queueReminders,
  claimNextReminder,
  sendReminder,
  resendReminder,
} from '#payments/dunning'
import { getDunningSettings, setDunningSettings } from '#payments/dunning_settings'
import { recordPayment } from '#payments/payments'
import { dunningJob } from '#jobs/tasks'
import Customer from '#models/customer'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { PORTAL_SUSPENDED } from '#start/routes/portal'
import { makeInvoice } from './support.js'

const at = (iso: string) => new Date(`${iso}T09:00:00Z`)

test.group('payments: dunning', (group) => {
  let peer: SmtpPeer
  group.each.setup(async () => {
    await truncateAll()
    peer = await startSmtpPeer()
    return () => peer.close()
  })

  const enable = (suspendPortal = false) =>
    db.transaction((trx) =>
      setDunningSettings({ enabled: true, schedule: '30, 7,14', suspendPortal }, trx)
    )

  test('one reminder per step, never twice; a payment between two steps stops the next one', async ({
    assert,
  }) => {
    await enable()
    const customer = await makeCustomer({ billingEmail: 'ap@late.example' })
    const a = await makeInvoice(customer, {
      totalMinor: 12345,
      issueDate: '2026-10-02',
      dueDate: '2026-11-01',
      period: '2026-09',
    })
    const b = await makeInvoice(customer, {
      totalMinor: 5000,
      issueDate: '2026-10-02',
      dueDate: '2026-11-01',
      period: '2026-10',
    })
    const mailer = smtpMailer({ host: '127.0.0.1', port: peer.port })

    assert.include(await runDunning({ now: at('2026-11-07'), mailer }), { queued: 0, sent: 0 })
    assert.include(await runDunning({ now: at('2026-11-08'), mailer }), { queued: 2, sent: 2 })
    assert.include(await runDunning({ now: at('2026-11-08'), mailer }), { queued: 0, sent: 0 })
    assert.include(await runDunning({ now: at('2026-11-12'), mailer }), { queued: 0, sent: 0 })
    assert.lengthOf(peer.messages, 2)
    const subjects = peer.messages.map((m) => decodedHeader(m.raw, 'Subject')!)
    assert.isTrue(
      subjects.some((s) => s.includes(a.number) && s.includes('£123.45')),
      subjects.join(' | ')
    )
    assert.deepEqual(peer.messages[0].to, ['ap@late.example'])
    assert.isTrue(
      subjects.every((s) => s.includes('7 days overdue')),
      subjects.join(' | ')
    )
    const html = htmlPart(
      peer.messages.find((m) => decodedHeader(m.raw, 'Subject')!.includes(a.number))!.raw
    )
    assert.match(html, /Outstanding<\/td><td><strong>£123\.45<\/strong>/)

    // A pays between step 1 and step 2: only B gets the 14-day reminder.
    await recordPayment({
      customerId: customer.id,
      receivedOn: '2026-11-13',
      amountMinor: 12345,
      method: 'bank_transfer',
      allocations: [{ invoiceId: a.id, amountMinor: 12345 }],
    })
    assert.include(await runDunning({ now: at('2026-11-15'), mailer }), { queued: 1, sent: 1 })
    assert.lengthOf(peer.messages, 3)
    assert.include(decodedHeader(peer.messages[2].raw, 'Subject')!, b.number)
    const rows = await db
      .from('dunning_reminders')
      .orderBy('id')
      .select('invoice_id', 'step', 'status', 'days_after_due')
    assert.deepEqual(
      rows.map((r) => [Number(r.invoice_id), r.step, r.status, r.days_after_due]),
      [
        [a.id, 1, 'sent', 7],
        [b.id, 1, 'sent', 7],
        [b.id, 2, 'sent', 14],
      ]
    )
  })

  test('a reminder queued before the payment arrived is cancelled, not sent', async ({
    assert,
  }) => {
    await enable()
    const customer = await makeCustomer()
    const a = await makeInvoice(customer, {
      totalMinor: 1000,
      issueDate: '2026-10-02',
      dueDate: '2026-11-01',
    })
    const settings = await getDunningSettings()
    assert.equal(await queueReminders(settings, at('2026-11-09')), 1)
    await recordPayment({
      customerId: customer.id,
      receivedOn: '2026-11-09',
      amountMinor: 1000,
      method: 'card',
      allocations: [{ invoiceId: a.id, amountMinor: 1000 }],
    })
    const claimed = (await claimNextReminder())!
    assert.equal(
      await sendReminder(claimed, settings, smtpMailer({ host: '127.0.0.1', port: peer.port })),
      'cancelled'
    )
    assert.lengthOf(peer.messages, 0)
    assert.equal((await db.from('dunning_reminders').first()).status, 'cancelled')
  })

  test('an SMTP refusal is retried after the backoff and sent once; a sent reminder cannot be resent', async ({
    assert,
  }) => {
    await enable()
    const customer = await makeCustomer()
    await makeInvoice(customer, {
      totalMinor: 1000,
      issueDate: '2026-10-02',
      dueDate: '2026-11-01',
    })
    const mailer = smtpMailer({ host: '127.0.0.1', port: peer.port })
    peer.failWith = { code: 451, message: 'Try again later' }
    const now = at('2026-11-09')
    assert.include(await runDunning({ now, mailer }), { queued: 1, sent: 0, retrying: 1 })
    const failed = await db.from('dunning_reminders').first()
    assert.equal(failed.status, 'failed')
    assert.match(failed.last_error, /Try again later/)
    peer.failWith = null
    assert.include(await runDunning({ now, mailer }), { sent: 0 }, 'not before the backoff')
    assert.include(
      await runDunning({ now: DateTime.fromJSDate(now).plus({ minutes: 2 }).toJSDate(), mailer }),
      { sent: 1 }
    )
    assert.lengthOf(peer.messages, 1)
    assert.equal(peer.attempts, 2)
    await assert.rejects(() => resendReminder(failed.id), /already sent/)
  })

  test('after the last step the portal is suspended (when set), and restored once paid', async ({
    assert,
    client,
  }) => {
    await enable(true)
    const customer = await makeCustomer({ miAddon: true })
    const a = await makeInvoice(customer, {
      totalMinor: 2500,
      issueDate: '2026-10-02',
      dueDate: '2026-11-01',
    })
    const mailer = smtpMailer({ host: '127.0.0.1', port: peer.port })
    // Switched on late: 40 days overdue reaches the last step at once; only that step is sent.
    assert.include(await runDunning({ now: at('2026-12-11'), mailer }), { queued: 1, sent: 1 })
    assert.include(decodedHeader(peer.messages[0].raw, 'Subject')!, 'Final reminder')
    assert.isNotNull((await Customer.findOrFail(customer.id)).portalSuspendedAt)
    const portalUser = await makeUser('portal', { customerId: customer.id })
    const refused = await client.get('/portal').loginAs(portalUser).redirects(0)
    refused.assertStatus(302)
    refused.assertFlashMessage('error', PORTAL_SUSPENDED)
    await recordPayment({
      customerId: customer.id,
      receivedOn: '2026-12-12',
      amountMinor: 2500,
      method: 'card',
      allocations: [{ invoiceId: a.id, amountMinor: 2500 }],
    })
    assert.include(await runDunning({ now: at('2026-12-12'), mailer }), { lifted: 1 })
    assert.isNull((await Customer.findOrFail(customer.id)).portalSuspendedAt)
    const back = await client.get('/portal').loginAs(portalUser).redirects(0)
    back.assertStatus(200)
  })

  test('the scheduler task does nothing while dunning is off; a bad schedule is refused', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    await makeInvoice(customer, {
      totalMinor: 1000,
      issueDate: '2026-10-02',
      dueDate: '2026-11-01',
    })
    const outcome: any = await dunningJob(at('2026-11-20'))
    assert.isTrue(outcome.claimed)
    assert.include(outcome.result, { enabled: false, queued: 0 })
    await assert.rejects(
      () =>
        db.transaction((trx) =>
          setDunningSettings({ enabled: true, schedule: '7, soon', suspendPortal: false }, trx)
        ),
      /"soon" is not a number of days/
    )
    assert.deepEqual((await getDunningSettings()).schedule, [7, 14, 30])
  })
})
