import { test } from '@japa/runner'
import { ApiRequest } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import Invoice from '#models/invoice'
import Customer from '#models/customer'
import { createRun, finalizeRun } from '#billing/runs'
import { createCreditNote } from '#billing/credit_notes'
import { invoicePdfBytes } from '#documents/invoice_pdf'
import { creditNotePdfBytes } from '#documents/credit_note_pdf'
import { formatMoney } from '#lib/money'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { pdfText } from '#tests/helpers/smtp_peer'
import { parseUbl, peppolViolations, text, all, minor } from '#tests/helpers/ubl_xml'
import { makeBillingFixture } from '../billing/fixtures.js'

/**
 * E-invoices end to end: real billing runs finalize real invoices, a staff user sets the
 * e-invoicing details through the pages and downloads the UBL over HTTP; the XML is parsed
 * back, checked against the Peppol rules, and every amount compared with the PDF's text.
 */

const xmlParser = (res: any, done: (err: Error | null, body: string) => void) => {
  let body = ''
  res.setEncoding('utf8')
  res.on('data', (c: string) => (body += c))
  res.on('end', () => done(null, body))
}

const xmlOf = (res: any): string =>
  typeof res.body() === 'string' && res.body() ? res.body() : res.text()

const details = (extra: Record<string, unknown> = {}) => ({
  buyerReference: 'ACME-PO-REF',
  poNumber: 'PO-4411',
  street: '1 High Street',
  additional: '',
  city: 'London',
  postcode: 'EC1A 1AA',
  region: '',
  country: 'GB',
  endpointScheme: '0088',
  endpointId: '5790000435951',
  vatCategory: 'S',
  attachUbl: false,
  rules: [],
  ...extra,
})

async function setup(
  client: any,
  customerDetails: Record<string, unknown>,
  beforeFinalize: (customerId: number) => Promise<unknown> = async () => {}
) {
  const clerk = await makeUser('billing')
  const f = await makeBillingFixture({ employees: 2, recordsPerService: 3 })
  await client.put('/settings/e-invoicing').loginAs(clerk).withCsrfToken().form({
    street: '10 Exchange Street',
    city: 'Manchester',
    postcode: 'M2 7EE',
    country: 'GB',
    endpointScheme: '9932',
    endpointId: 'GB123456789',
    paymentAccountId: 'GB29NWBK60161331926819',
    paymentAccountName: 'Reseller Communications Ltd',
  })
  const saved = await client
    .put(`/customers/${f.customer.id}/e-invoicing`)
    .loginAs(clerk)
    .withCsrfToken()
    .json(customerDetails)
  saved.assertStatus(200)
  await beforeFinalize(f.customer.id)
  const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
  await finalizeRun(run.id)
  const invoice = await Invoice.query().where('billing_run_id', run.id).firstOrFail()
  return { clerk, f, invoice }
}

/** Every figure of the UBL appears, formatted, in the PDF: totals, and each VAT group's net and VAT. */
function assertAmountsInPdf(assert: any, root: any, pdf: string) {
  const money = (v: string | null) => formatMoney(minor(v), 'GBP')
  for (const name of ['LineExtensionAmount', 'TaxInclusiveAmount', 'PayableAmount'])
    assert.include(pdf, money(text(root, `cac:LegalMonetaryTotal/cbc:${name}`)), name)
  assert.include(pdf, money(text(root, 'cac:TaxTotal/cbc:TaxAmount')))
  for (const st of all(root, 'cac:TaxTotal/cac:TaxSubtotal')) {
    assert.include(pdf, `on ${money(text(st, 'cbc:TaxableAmount'))}`)
    assert.include(pdf, money(text(st, 'cbc:TaxAmount')))
  }
}

test.group('E-invoices (UBL 2.1, Peppol BIS Billing 3.0)', (group) => {
  group.each.setup(() => truncateAll())
  group.setup(() => {
    ApiRequest.addParser('application/xml', xmlParser as any)
    return () => ApiRequest.removeParser('application/xml')
  })

  test('an invoice with two VAT rates downloads as UBL that passes the rules and equals its PDF', async ({
    client,
    assert,
  }) => {
    const { clerk, invoice } = await setup(
      client,
      details({ rules: [{ category: 'line_rental', vatCategory: 'S', rate: '5' }] })
    )
    const viewer = await makeUser('viewer')
    const res = await client.get(`/invoices/${invoice.id}/ubl`).loginAs(viewer)
    res.assertStatus(200)
    assert.match(res.header('content-type') ?? '', /application\/xml/)
    assert.include(res.header('content-disposition'), `${invoice.number}.xml`)
    const root = parseUbl(xmlOf(res))
    assert.deepEqual(peppolViolations(root), [])
    assert.equal(text(root, 'cbc:ID'), invoice.number)
    assert.equal(text(root, 'cbc:BuyerReference'), 'ACME-PO-REF')
    assert.equal(text(root, 'cac:OrderReference/cbc:ID'), 'PO-4411')
    assert.equal(
      text(root, 'cac:AccountingCustomerParty/cac:Party/cbc:EndpointID'),
      '5790000435951'
    )
    assert.equal(
      text(root, 'cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:CityName'),
      'Manchester'
    )
    assert.equal(
      text(root, 'cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID'),
      'GB29NWBK60161331926819'
    )
    const groups = all(root, 'cac:TaxTotal/cac:TaxSubtotal').map(
      (s) => `${text(s, 'cac:TaxCategory/cbc:ID')}:${text(s, 'cac:TaxCategory/cbc:Percent')}`
    )
    assert.deepEqual(groups, ['S:20', 'S:5'])
    // The stored invoice is what the UBL says.
    assert.equal(
      minor(text(root, 'cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount')),
      invoice.subtotalMinor
    )
    assert.equal(minor(text(root, 'cac:TaxTotal/cbc:TaxAmount')), invoice.taxMinor)
    assert.equal(minor(text(root, 'cac:LegalMonetaryTotal/cbc:PayableAmount')), invoice.totalMinor)
    const units = new Set(
      all(root, 'cac:InvoiceLine').map((l) =>
        l.getElementsByTagNameNS('*', 'InvoicedQuantity')[0].getAttribute('unitCode')
      )
    )
    assert.isTrue(
      units.has('MIN') && units.has('C62'),
      `calls in minutes, rentals in units: ${[...units]}`
    )
    const pdf = await pdfText((await invoicePdfBytes(invoice.id)).bytes)
    assertAmountsInPdf(assert, root, pdf)
    assert.include(pdf, 'VAT at 5%')
    // The invoice page offers the download.
    const page = await client.get(`/invoices/${invoice.id}`).loginAs(clerk).withInertia()
    page.assertStatus(200)
    assert.equal(page.inertiaProps.invoice.status, 'finalized')
  })

  test('a reverse-charge customer: AE at 0% with the exemption reason, the wording on the PDF', async ({
    client,
    assert,
  }) => {
    const { invoice } = await setup(
      client,
      details({
        vatCategory: 'AE',
        buyerReference: '',
        poNumber: '',
        country: 'IE',
        postcode: 'D02 X285',
        city: 'Dublin',
        endpointScheme: '9930',
        endpointId: 'IE6388047V',
      })
    )
    await Customer.query().where('id', invoice.customerId).update({ vat_number: 'IE6388047V' })
    assert.equal(invoice.taxMinor, 0)
    const res = await client.get(`/invoices/${invoice.id}/ubl`).loginAs(await makeUser('billing'))
    res.assertStatus(200)
    const root = parseUbl(xmlOf(res))
    assert.deepEqual(peppolViolations(root), [])
    const [ae] = all(root, 'cac:TaxTotal/cac:TaxSubtotal')
    assert.equal(text(ae, 'cac:TaxCategory/cbc:ID'), 'AE')
    assert.equal(text(ae, 'cac:TaxCategory/cbc:TaxExemptionReasonCode'), 'VATEX-EU-AE')
    // No buyer reference or PO: the account number stands in (R003).
    assert.match(text(root, 'cbc:BuyerReference')!, /^B-/)
    const pdf = await pdfText((await invoicePdfBytes(invoice.id)).bytes)
    assert.include(pdf, 'Reverse charge')
    assert.include(pdf, 'account for the VAT')
    assertAmountsInPdf(assert, root, pdf)
  })

  test('a credit note downloads as a UBL CreditNote referencing its invoice, equal to its PDF', async ({
    client,
    assert,
  }) => {
    const { invoice } = await setup(
      client,
      details({ rules: [{ category: 'line_rental', vatCategory: 'S', rate: '5' }] })
    )
    const partial = await createCreditNote({
      invoiceId: invoice.id,
      reason: 'Goodwill credit',
      netMinor: 1234,
    })
    const res = await client
      .get(`/credit-notes/${partial.id}/ubl`)
      .loginAs(await makeUser('viewer'))
    res.assertStatus(200)
    const root = parseUbl(xmlOf(res))
    assert.equal(root.localName, 'CreditNote')
    assert.deepEqual(peppolViolations(root), [])
    assert.equal(
      text(root, 'cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID'),
      invoice.number
    )
    assert.equal(minor(text(root, 'cac:LegalMonetaryTotal/cbc:PayableAmount')), partial.totalMinor)
    assertAmountsInPdf(assert, root, await pdfText((await creditNotePdfBytes(partial.id)).bytes))

    // Both rates are credited in proportion, each at its own rate; the rest credits what is left.
    assert.lengthOf(all(root, 'cac:TaxTotal/cac:TaxSubtotal'), 2)
    const rest = await createCreditNote({ invoiceId: invoice.id, reason: 'Rest' })
    const restRoot = parseUbl(
      xmlOf(await client.get(`/credit-notes/${rest.id}/ubl`).loginAs(await makeUser('viewer')))
    )
    assert.deepEqual(peppolViolations(restRoot), [])
    assert.equal(minor(text(restRoot, 'cac:LegalMonetaryTotal/cbc:PayableAmount')), rest.totalMinor)
    assert.equal(partial.subtotalMinor + rest.subtotalMinor, invoice.subtotalMinor)
    assert.isAtMost(
      Math.abs(partial.taxMinor + rest.taxMinor - invoice.taxMinor),
      2,
      'VAT credited in two notes is the invoice VAT, give or take a rounding penny per rate'
    )
    assertAmountsInPdf(assert, restRoot, await pdfText((await creditNotePdfBytes(rest.id)).bytes))
  })

  test('a customer whose address has no country is refused with a message naming it; nothing half-written on bad input', async ({
    client,
    assert,
  }) => {
    // Finalized without a country: the snapshot cannot supply one either.
    const { clerk, f, invoice } = await setup(client, details(), (id) =>
      Customer.query().where('id', id).update({ address_country: null })
    )
    const json = await client
      .get(`/invoices/${invoice.id}/ubl`)
      .loginAs(clerk)
      .header('Accept', 'application/json')
    json.assertStatus(422)
    assert.equal(json.body().field, 'buyer.address.country')
    assert.include(json.body().error, f.customer.name)
    assert.include(json.body().error, 'no country')
    const html = await client.get(`/invoices/${invoice.id}/ubl`).loginAs(clerk).redirects(0)
    html.assertStatus(302)
    html.assertFlashIncludes('no country')

    // An unknown country code or a half electronic address saves nothing (rules included).
    const before = await db.from('customers').where('id', f.customer.id).first()
    const bad = await client
      .put(`/customers/${f.customer.id}/e-invoicing`)
      .loginAs(clerk)
      .withCsrfToken()
      .json(
        details({
          country: 'XX',
          poNumber: 'CHANGED',
          rules: [{ category: 'sms', vatCategory: 'Z', rate: '0' }],
        })
      )
      .redirects(0)
    bad.assertFlashIncludes('ISO 3166-1')
    const half = await client
      .put(`/customers/${f.customer.id}/e-invoicing`)
      .loginAs(clerk)
      .withCsrfToken()
      .json(details({ endpointScheme: '0088', endpointId: '', poNumber: 'CHANGED' }))
      .redirects(0)
    half.assertFlashIncludes('identifier')
    const after = await db.from('customers').where('id', f.customer.id).first()
    assert.equal(after.po_number, before.po_number)
    assert.isNull(after.address_country)
    assert.equal(
      Number(
        (await db.from('customer_vat_rules').where('customer_id', f.customer.id).count('* as n'))[0]
          .n
      ),
      0
    )
    // A Z rule at 5% is refused too.
    const zRate = await client
      .put(`/customers/${f.customer.id}/e-invoicing`)
      .loginAs(clerk)
      .withCsrfToken()
      .json(details({ rules: [{ category: 'sms', vatCategory: 'Z', rate: '5' }] }))
      .redirects(0)
    zRate.assertFlashIncludes('always 0%')
    // Viewers cannot change the details; a draft has no e-invoice.
    const viewer = await makeUser('viewer')
    const denied = await client
      .put(`/customers/${f.customer.id}/e-invoicing`)
      .loginAs(viewer)
      .withCsrfToken()
      .json(details())
    assert.oneOf(denied.status(), [403, 404])
    await db.from('invoices').where('id', invoice.id).update({ status: 'draft' })
    const draft = await client
      .get(`/invoices/${invoice.id}/ubl`)
      .loginAs(clerk)
      .header('Accept', 'application/json')
    draft.assertStatus(422)
    assert.equal(draft.body().field, 'invoice.status')
  })

  test('the UBL names the buyer as at finalize: later edits of the customer do not rewrite it', async ({
    client,
    assert,
  }) => {
    const { clerk, f, invoice } = await setup(client, details())
    const before = await db.from('customers').where('id', f.customer.id).first()
    const moved = await client
      .put(`/customers/${f.customer.id}/e-invoicing`)
      .loginAs(clerk)
      .withCsrfToken()
      .json(
        details({
          buyerReference: 'NEW-REF',
          poNumber: 'PO-9999',
          street: '99 New Road',
          city: 'Leeds',
          postcode: 'LS1 1AA',
          endpointId: '5790000435968',
        })
      )
    moved.assertStatus(200)
    await Customer.query()
      .where('id', f.customer.id)
      .update({ name: 'Renamed Ltd', vat_number: 'GB999999973' })

    const res = await client.get(`/invoices/${invoice.id}/ubl`).loginAs(clerk)
    res.assertStatus(200)
    const root = parseUbl(xmlOf(res))
    assert.deepEqual(peppolViolations(root), [])
    const buyer = 'cac:AccountingCustomerParty/cac:Party'
    assert.equal(text(root, `${buyer}/cac:PostalAddress/cbc:StreetName`), '1 High Street')
    assert.equal(text(root, `${buyer}/cac:PostalAddress/cbc:CityName`), 'London')
    assert.equal(text(root, `${buyer}/cac:PostalAddress/cbc:PostalZone`), 'EC1A 1AA')
    assert.equal(text(root, `${buyer}/cbc:EndpointID`), '5790000435951')
    assert.equal(text(root, `${buyer}/cac:PartyLegalEntity/cbc:RegistrationName`), before.name)
    assert.notInclude(xmlOf(res), 'GB999999973')
    assert.equal(text(root, 'cbc:BuyerReference'), 'ACME-PO-REF')
    assert.equal(text(root, 'cac:OrderReference/cbc:ID'), 'PO-4411')
  })

  test('addresses read from free text wait for review; confirming needs a country', async ({
    client,
    assert,
  }) => {
    const clerk = await makeUser('billing')
    const f = await makeBillingFixture({ employees: 1, recordsPerService: 1 })
    await Customer.query().where('id', f.customer.id).update({
      address_street: '1 High Street',
      address_city: 'London',
      address_postcode: 'EC1A 1AA',
      address_country: null,
      address_needs_review: true,
    })
    const list = await client.get('/e-invoicing/address-review').loginAs(clerk).withInertia()
    list.assertStatus(200)
    const rows = list.inertiaProps.rows
    assert.lengthOf(rows, 1)
    assert.deepEqual(rows[0].missing, ['country'])
    const refused = await client
      .post(`/e-invoicing/address-review/${f.customer.id}/confirm`)
      .loginAs(clerk)
      .withCsrfToken()
      .redirects(0)
    refused.assertFlashIncludes('no country')
    assert.isTrue(
      Boolean((await db.from('customers').where('id', f.customer.id).first()).address_needs_review)
    )
    await Customer.query().where('id', f.customer.id).update({ address_country: 'GB' })
    await client
      .post(`/e-invoicing/address-review/${f.customer.id}/confirm`)
      .loginAs(clerk)
      .withCsrfToken()
      .redirects(0)
    assert.isFalse(
      Boolean((await db.from('customers').where('id', f.customer.id).first()).address_needs_review)
    )
    const audit = await db
      .from('audit_logs')
      .where('action', 'customer.address.confirm')
      .where('subject_id', f.customer.id)
    assert.lengthOf(audit, 1)
  })
})
