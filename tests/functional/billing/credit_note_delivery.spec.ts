import { test } from '@japa/runner'
import { binaryResponses } from '#tests/helpers/binary_responses'
import ExcelJS from 'exceljs'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import Invoice from '#models/invoice'
import CreditNote from '#models/credit_note'
import Delivery from '#models/delivery'
import { createRun, finalizeRun } from '#billing/runs'
import { createCreditNote } from '#billing/credit_notes'
import { issueCreditNote } from '#deliveries/credit_note_issue'
import {
  deliverDue,
  queueCreditNoteDeliveries,
  queueDeliveries,
  requestCreditNoteDelivery,
  resendDelivery,
  MAX_ATTEMPTS,
} from '#deliveries/deliveries'
import { setSettings } from '#billing/settings'
import { sqlTime } from '#lib/db_helpers'
import { smtpMailer } from '#mails/mailers'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { waitFor } from '#tests/helpers/wait_for'
import {
  startSmtpPeer,
  attachmentOf,
  header,
  pdfText,
  decodedHeader,
  htmlPart,
  type SmtpPeer,
} from '#tests/helpers/smtp_peer'
import { makeBillingFixture } from './fixtures.js'

/** A customer with a finalized invoice (real billing run). */
async function finalizedInvoice(options: Parameters<typeof makeBillingFixture>[0] = {}) {
  const f = await makeBillingFixture({ employees: 1, recordsPerService: 2, ...options })
  const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
  await finalizeRun(run.id)
  const invoice = await Invoice.query()
    .where('billing_run_id', run.id)
    .where('customer_id', f.customer.id)
    .firstOrFail()
  return { f, invoice }
}

test.group('Credit note email delivery', (group) => {
  let peer: SmtpPeer
  group.each.setup(async () => {
    await truncateAll()
    peer = await startSmtpPeer()
    return () => peer.close()
  })

  test('issuing a credit note with auto_send emails it once, CN PDF attached; sending again never sends twice', async ({
    assert,
  }) => {
    const { f, invoice } = await finalizedInvoice()
    await setSettings({ auto_send: 'true' })
    const mailer = smtpMailer({ host: '127.0.0.1', port: peer.port })

    const { note, delivery, sending } = await issueCreditNote(
      { invoiceId: invoice.id, reason: 'Goodwill <b>credit</b> & refund', netMinor: 500 },
      { mailer }
    )
    assert.match(note.number, /^CN-\d{6}$/)
    assert.isNotNull(delivery, 'auto_send queued the delivery with the credit note')
    assert.equal(delivery!.documentType, 'credit_note')
    assert.equal(delivery!.creditNoteId, note.id)
    assert.isNull(delivery!.invoiceId)
    assert.isNotNull(sending)
    const result = await sending!
    assert.equal(result.sent, 1)

    assert.lengthOf(peer.messages, 1)
    const message = peer.messages[0]
    assert.deepEqual(message.to, [f.customer.billingEmail])
    const subject = decodedHeader(message.raw, 'Subject')!
    assert.include(subject, note.number)
    assert.include(subject, invoice.number!)
    assert.notMatch(subject, /^Invoice/)
    const pdf = attachmentOf(message.raw)!
    assert.equal(pdf.filename, `${note.number}.pdf`)
    assert.equal(pdf.content.subarray(0, 5).toString('latin1'), '%PDF-')
    const text = await pdfText(pdf.content)
    assert.include(text, note.number)
    assert.include(text, 'Credit note')
    assert.include(text, invoice.number!)
    assert.include(text, '£6.00', 'net £5.00 + VAT at 20%')
    const stored = await CreditNote.findOrFail(note.id)
    assert.isTrue(
      pdf.content.equals(Buffer.from(await drive.use().getBytes(stored.pdfPath!))),
      'the attachment is the stored PDF'
    )

    // Credit note wording, data escaped.
    const html = htmlPart(message.raw)
    assert.include(
      html,
      `credit note <strong>${note.number}</strong> against invoice ${invoice.number}`
    )
    assert.include(html, 'Goodwill &lt;b&gt;credit&lt;/b&gt; &amp; refund')
    assert.notInclude(html, '<b>credit</b>')
    assert.notInclude(html, 'Total due')

    const sent = await Delivery.findByOrFail('credit_note_id', note.id)
    assert.equal(sent.status, 'sent')
    assert.equal(sent.attempts, 1)
    assert.equal(header(message.raw, 'Message-ID'), sent.messageId)
    assert.match(sent.messageId!, new RegExp(`^<credit-note-${note.id}\\.${sent.id}\\.1@`))

    // Sending again — queue again, a scheduler tick a day later, "Send credit note", "Resend" — sends nothing.
    assert.deepEqual(await queueCreditNoteDeliveries([note.id]), { queued: 0, missingEmail: 0 })
    const again = await deliverDue({ mailer, now: DateTime.now().plus({ days: 1 }) })
    assert.equal(again.outcomes.length, 0)
    await assert.rejects(() => requestCreditNoteDelivery(note.id), /already sent/)
    await assert.rejects(() => resendDelivery(sent.id), /credit note was already sent/)
    assert.lengthOf(peer.messages, 1)
    assert.equal((await Delivery.query().where('credit_note_id', note.id)).length, 1)
    // The invoice's own delivery is a separate row, untouched by the credit note's.
    assert.isNull(await Delivery.findBy('invoice_id', invoice.id))
  }).timeout(60_000)

  test('without auto_send nothing is queued; concurrent "send" requests and senders email once; a crash after acceptance is not resent', async ({
    assert,
  }) => {
    const { f, invoice } = await finalizedInvoice()
    await setSettings({ auto_send: 'false' })
    const mailer = smtpMailer({ host: '127.0.0.1', port: peer.port })
    const { note, delivery, sending } = await issueCreditNote(
      { invoiceId: invoice.id, reason: 'Wrong tariff', netMinor: 250 },
      { mailer }
    )
    assert.isNull(delivery)
    assert.isNull(sending)
    assert.equal((await deliverDue({ mailer })).outcomes.length, 0)
    assert.lengthOf(peer.messages, 0)

    // The invoice is queued too: an invoice-only sender does not take the credit note, and vice versa.
    await queueDeliveries({ invoiceIds: [invoice.id] })
    await Promise.all([
      requestCreditNoteDelivery(note.id),
      requestCreditNoteDelivery(note.id),
      requestCreditNoteDelivery(note.id),
    ])
    assert.equal((await Delivery.query().where('credit_note_id', note.id)).length, 1)
    const onlyInvoice = await deliverDue({ mailer, invoiceIds: [invoice.id] })
    assert.deepEqual(
      onlyInvoice.outcomes.map((o) => o.documentType),
      ['invoice']
    )
    const [a, b, c] = await Promise.all([
      deliverDue({ mailer, creditNoteIds: [note.id] }),
      deliverDue({ mailer: smtpMailer({ host: '127.0.0.1', port: peer.port }) }),
      deliverDue({ mailer, creditNoteIds: [note.id] }),
    ])
    assert.equal(a.sent + b.sent + c.sent, 1)
    assert.lengthOf(peer.messages, 2)
    const subjects = peer.messages.map((m) => decodedHeader(m.raw, 'Subject')!)
    assert.equal(subjects.filter((s) => s.startsWith(`Credit note ${note.number}`)).length, 1)
    assert.equal(subjects.filter((s) => s.startsWith(`Invoice ${invoice.number}`)).length, 1)
    assert.isTrue(peer.messages.every((m) => m.to[0] === f.customer.billingEmail))

    // A sender that died after the server accepted the message leaves the row in `sending`:
    // neither the scheduler nor "Send credit note" sends it again until a person decides, after 10 minutes.
    const second = await createCreditNote({
      invoiceId: invoice.id,
      reason: 'Second credit',
      netMinor: 100,
    })
    await queueCreditNoteDeliveries([second.id])
    await db
      .from('deliveries')
      .where('credit_note_id', second.id)
      .update({ status: 'sending', attempts: 1, updated_at: sqlTime() })
    assert.equal(
      (await deliverDue({ mailer, now: DateTime.now().plus({ days: 1 }) })).outcomes.length,
      0
    )
    await assert.rejects(
      () => requestCreditNoteDelivery(second.id),
      /sending delivery cannot be resent/
    )
    assert.lengthOf(peer.messages, 2)
    await db
      .from('deliveries')
      .where('credit_note_id', second.id)
      .update({ updated_at: sqlTime(new Date(Date.now() - 11 * 60_000)) })
    await requestCreditNoteDelivery(second.id)
    assert.equal((await deliverDue({ mailer, creditNoteIds: [second.id] })).sent, 1)
    assert.lengthOf(peer.messages, 3)
    assert.include(decodedHeader(peer.messages[2].raw, 'Subject')!, second.number)
  }).timeout(60_000)

  test('an SMTP failure is retried with backoff and then succeeds, without a duplicate; a permanent refusal gives up', async ({
    assert,
  }) => {
    const { invoice } = await finalizedInvoice()
    await setSettings({ auto_send: 'true' })
    const mailer = smtpMailer({ host: '127.0.0.1', port: peer.port })
    peer.failWith = { code: 451, message: 'Temporary local problem' }
    const t0 = DateTime.now()

    const { note, sending } = await issueCreditNote(
      { invoiceId: invoice.id, reason: 'Outage credit', netMinor: 1000 },
      { mailer }
    )
    const first = await sending!
    const t1 = DateTime.now()
    assert.equal(first.retrying, 1)
    let d = await Delivery.findByOrFail('credit_note_id', note.id)
    assert.equal(d.status, 'failed')
    assert.equal(d.attempts, 1)
    assert.match(d.lastError!, /451|Temporary/)
    // One minute after the failed attempt, which happened between t0 and t1 (PDF rendering takes a while on a busy machine).
    assert.isAtLeast(d.nextAttemptAt!.toMillis(), t0.plus({ minutes: 1 }).toMillis() - 1000)
    assert.isAtMost(d.nextAttemptAt!.toMillis(), t1.plus({ minutes: 1 }).toMillis() + 1000)

    // Not due yet: nothing happens, even once the server is fine again.
    peer.failWith = null
    assert.equal((await deliverDue({ mailer, now: t0.plus({ seconds: 30 }) })).outcomes.length, 0)
    assert.lengthOf(peer.messages, 0)

    // The scheduler's sender (no filter) takes the retry when due.
    const retry = await deliverDue({ mailer, now: t0.plus({ minutes: 2 }) })
    assert.equal(retry.sent, 1)
    d = await Delivery.findByOrFail('credit_note_id', note.id)
    assert.equal(d.status, 'sent')
    assert.equal(d.attempts, 2)
    assert.isNull(d.lastError)
    assert.equal(peer.attempts, 2)
    assert.lengthOf(peer.messages, 1)
    assert.include(await pdfText(attachmentOf(peer.messages[0].raw)!.content), note.number)
    await deliverDue({ mailer, now: t0.plus({ hours: 2 }) })
    assert.lengthOf(peer.messages, 1)

    // A 5xx answer is permanent: failed at once, no retry scheduled, never sent by itself.
    peer.failWith = { code: 550, message: 'Mailbox unavailable' }
    const other = await issueCreditNote(
      { invoiceId: invoice.id, reason: 'Another credit', netMinor: 100 },
      { mailer }
    )
    await other.sending
    d = await Delivery.findByOrFail('credit_note_id', other.note.id)
    assert.equal(d.status, 'failed')
    assert.isNull(d.nextAttemptAt)
    assert.isBelow(d.attempts, MAX_ATTEMPTS)
    assert.equal((await deliverDue({ mailer, now: t0.plus({ days: 1 }) })).outcomes.length, 0)
    assert.lengthOf(peer.messages, 1)
  }).timeout(60_000)
})

test.group('Credit notes over HTTP: invoice page, deliveries page, portal', (group) => {
  binaryResponses(group)
  group.each.setup(() => truncateAll())

  test('"Send credit note" queues one delivery; the invoice and deliveries pages show it by its number', async ({
    client,
    assert,
  }) => {
    const { invoice } = await finalizedInvoice()
    await setSettings({ auto_send: 'false' })
    const billing = await makeUser('billing')
    const viewer = await makeUser('viewer')
    await client
      .post(`/invoices/${invoice.id}/credit-notes`)
      .json({ reason: 'Goodwill', amount: '5.00' })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    const note = await CreditNote.findByOrFail('invoice_id', invoice.id)
    assert.isNull(
      await Delivery.findBy('credit_note_id', note.id),
      'auto_send off: not emailed on issue'
    )

    let page = await client.get(`/invoices/${invoice.id}`).withInertia().loginAs(viewer)
    assert.equal(page.inertiaProps.creditNotes[0].number, note.number)
    assert.isNull(page.inertiaProps.creditNotes[0].delivery)
    assert.equal(page.inertiaProps.creditNotes[0].sendUrl, `/credit-notes/${note.id}/send`)

    const denied = await client
      .post(`/credit-notes/${note.id}/send`)
      .loginAs(viewer)
      .withCsrfToken()
      .redirects(0)
    denied.assertStatus(403)
    assert.isNull(await Delivery.findBy('credit_note_id', note.id))

    const sent = await client
      .post(`/credit-notes/${note.id}/send`)
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    assert.oneOf(sent.status(), [302, 303])
    await client
      .post(`/credit-notes/${note.id}/send`)
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    assert.equal((await Delivery.query().where('credit_note_id', note.id)).length, 1)
    // The background send goes to the configured relay; wait until it has an outcome either way.
    await waitFor(
      async () =>
        ['sent', 'failed'].includes(
          (await Delivery.findByOrFail('credit_note_id', note.id)).status
        ),
      30_000
    )

    page = await client.get(`/invoices/${invoice.id}`).withInertia().loginAs(viewer)
    assert.oneOf(page.inertiaProps.creditNotes[0].delivery.status, ['sent', 'failed'])
    assert.equal(
      page.inertiaProps.creditNotes[0].delivery.to,
      (await Delivery.findByOrFail('credit_note_id', note.id)).toAddress
    )

    const deliveries = await client
      .get('/deliveries?type=credit_note')
      .withInertia()
      .loginAs(viewer)
    deliveries.assertStatus(200)
    const rows = deliveries.inertiaProps.deliveries
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].number, note.number)
    assert.equal(rows[0].documentType, 'credit_note')
    assert.equal(rows[0].invoiceId, invoice.id)
    assert.equal(rows[0].invoiceNumber, invoice.number)
    const all = await client.get('/deliveries').withInertia().loginAs(viewer)
    assert.include(
      all.inertiaProps.deliveries.map((r: any) => r.number),
      note.number
    )
  }).timeout(60_000)

  test("the portal lists the customer's own credit notes with their PDF; another customer's credit note is 404", async ({
    client,
    assert,
  }) => {
    await setSettings({ auto_send: 'false' })
    const a = await finalizedInvoice()
    const b = await finalizedInvoice()
    await db
      .from('customers')
      .whereIn('id', [a.f.customer.id, b.f.customer.id])
      .update({ mi_addon: true })
    const noteA = await createCreditNote({
      invoiceId: a.invoice.id,
      reason: 'Credit for A',
      netMinor: 300,
    })
    const noteB = await createCreditNote({
      invoiceId: b.invoice.id,
      reason: 'Credit for B',
      netMinor: 400,
    })
    const userA = await makeUser('portal', { customerId: a.f.customer.id })

    const list = await client.get('/portal/invoices').withInertia().loginAs(userA)
    list.assertStatus(200)
    assert.deepEqual(
      list.inertiaProps.creditNotes.map((n: any) => n.number),
      [noteA.number]
    )
    assert.equal(list.inertiaProps.creditNotes[0].invoiceNumber, a.invoice.number)
    assert.equal(list.inertiaProps.creditNotes[0].pdfUrl, `/portal/credit-notes/${noteA.id}/pdf`)
    assert.notInclude(JSON.stringify(list.inertiaProps), noteB.number)

    const own = await client.get(`/portal/credit-notes/${noteA.id}/pdf`).loginAs(userA)
    own.assertStatus(200)
    assert.equal(own.header('content-type'), 'application/pdf')
    assert.include(await pdfText(own.body()), noteA.number)

    for (const url of [
      `/portal/credit-notes/${noteB.id}/pdf`,
      `/portal/credit-notes/${noteB.id + 1000}/pdf`,
      '/portal/credit-notes/abc/pdf',
    ]) {
      const res = await client.get(url).loginAs(userA)
      assert.equal(res.status(), 404, url)
    }
    // The exports carry the customer's own credit notes only: a CSV of them on request, a sheet in the XLSX.
    const csv = await client.get('/portal/invoices?format=csv&table=credit_notes').loginAs(userA)
    csv.assertStatus(200)
    const csvLines = csv.text().trim().split(/\r?\n/)
    assert.equal(
      csvLines[0],
      'Number,Against invoice,Issue date,Reason,Net credit,VAT,Total credit'
    )
    assert.lengthOf(csvLines, 2)
    assert.include(csvLines[1], `${noteA.number},${a.invoice.number},`)
    assert.include(csvLines[1], ',Credit for A,3.00,0.60,3.60')
    const invoicesCsv = await client.get('/portal/invoices?format=csv').loginAs(userA)
    assert.match(invoicesCsv.text(), /^Number,Period,Issue date/)
    const xlsx = await client.get('/portal/invoices?format=xlsx').loginAs(userA)
    xlsx.assertStatus(200)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.body() as any)
    assert.deepEqual(
      workbook.worksheets.map((w) => w.name),
      ['Invoices', 'Credit notes']
    )
    assert.equal(workbook.getWorksheet('Credit notes')!.rowCount, 2)
    assert.notInclude(
      csv.text() + JSON.stringify(workbook.getWorksheet('Credit notes')!.getSheetValues()),
      noteB.number
    )

    // Portal users never reach the staff credit note routes.
    const staff = await client.get(`/credit-notes/${noteA.id}/pdf`).loginAs(userA)
    staff.assertStatus(404)
  }).timeout(90_000)
})
