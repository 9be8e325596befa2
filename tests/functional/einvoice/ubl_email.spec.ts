import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Invoice from '#models/invoice'
import Delivery from '#models/delivery'
import { createRun, finalizeRun } from '#billing/runs'
import { deliverDue, queueDeliveries } from '#deliveries/deliveries'
import { saveCustomerEInvoicing } from '#einvoice/customer_details'
import { smtpMailer } from '#mails/mailers'
import { truncateAll } from '#tests/helpers/migrate'
import { startSmtpPeer, attachmentOf, type SmtpPeer } from '#tests/helpers/smtp_peer'
import { parseUbl, peppolViolations, text, minor } from '#tests/helpers/ubl_xml'
import { makeBillingFixture } from '../billing/fixtures.js'

/** The optional UBL attachment of the invoice email, on a real SMTP server. */
async function finalizedFor(attachUbl: boolean, country: string | null = 'GB') {
  const f = await makeBillingFixture({ employees: 1, recordsPerService: 2 })
  await saveCustomerEInvoicing(
    f.customer.id,
    {
      buyerReference: 'REF-1',
      poNumber: null,
      address: { street: '1 High Street', city: 'London', postcode: 'EC1A 1AA', country },
      endpointScheme: '0088',
      endpointId: '5790000435951',
      vatCategory: 'S',
      attachUbl,
      rules: [],
    },
    null
  )
  const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
  await finalizeRun(run.id)
  return { f, run, invoice: await Invoice.query().where('billing_run_id', run.id).firstOrFail() }
}

test.group('UBL attached to the invoice email', (group) => {
  let peer: SmtpPeer
  group.each.setup(async () => {
    await truncateAll()
    peer = await startSmtpPeer()
    return () => peer.close()
  })

  test('a customer who asked for it gets the PDF and the UBL; the UBL equals the invoice', async ({
    assert,
  }) => {
    const { run, invoice } = await finalizedFor(true)
    await queueDeliveries({ runId: run.id })
    const result = await deliverDue({ mailer: smtpMailer({ host: '127.0.0.1', port: peer.port }) })
    assert.equal(result.sent, 1)
    assert.lengthOf(peer.messages, 1)
    const raw = peer.messages[0].raw
    assert.isNotNull(attachmentOf(raw, 'application/pdf'))
    const ubl = attachmentOf(raw, 'application/xml')
    assert.isNotNull(ubl, 'the UBL is attached')
    assert.equal(ubl!.filename, `${invoice.number}.xml`)
    const root = parseUbl(ubl!.content.toString('utf8'))
    assert.deepEqual(peppolViolations(root), [])
    assert.equal(text(root, 'cbc:ID'), invoice.number)
    assert.equal(minor(text(root, 'cac:LegalMonetaryTotal/cbc:PayableAmount')), invoice.totalMinor)
  })

  test('without the switch the email has no UBL; a UBL that cannot be made fails the delivery with the reason', async ({
    assert,
  }) => {
    const plain = await finalizedFor(false)
    const broken = await finalizedFor(true, null)
    await queueDeliveries({ runId: plain.run.id })
    await queueDeliveries({ runId: broken.run.id })
    await deliverDue({ mailer: smtpMailer({ host: '127.0.0.1', port: peer.port }) })
    assert.lengthOf(peer.messages, 1, 'only the customer without the switch was emailed')
    assert.isNull(attachmentOf(peer.messages[0].raw, 'application/xml'))
    const failed = await Delivery.findByOrFail('invoice_id', broken.invoice.id)
    assert.equal(failed.status, 'failed')
    assert.include(failed.lastError ?? '', broken.f.customer.name)
    assert.include(failed.lastError ?? '', 'no country')
    assert.isNull(
      (await db.from('deliveries').where('invoice_id', broken.invoice.id).first()).message_id
    )
  })
})
