import { test } from '@japa/runner'
import { binaryResponses } from '#tests/helpers/binary_responses'
import db from '@adonisjs/lucid/services/db'
import Invoice from '#models/invoice'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { pdfText } from '#tests/helpers/smtp_peer'
import { makeBillingFixture } from './fixtures.js'

test.group('Billing admin pages', (group) => {
  binaryResponses(group)
  group.each.setup(() => truncateAll())

  test('billing staff build, review, finalize a run and see the PDF inline; viewers only read', async ({
    client,
    assert,
  }) => {
    const f = await makeBillingFixture({ unrated: 1 })
    const billing = await makeUser('billing')
    const viewer = await makeUser('viewer')
    const portal = await makeUser('portal', { customerId: f.customer.id })

    const created = await client
      .post('/billing-runs')
      .json({ period: f.period, customerIds: [f.customer.id] })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    created.assertStatus(200)
    const run = await db.from('billing_runs').firstOrFail()
    // the review shows the blocking warning and leaves room for anomalies
    const review = await client.get(`/billing-runs/${run.id}`).withInertia().loginAs(viewer)
    review.assertStatus(200)
    const props = review.inertiaProps
    assert.equal(props.run.status, 'draft')
    assert.lengthOf(props.invoices, 1)
    assert.deepEqual(
      props.warnings.map((w: any) => w.unrated),
      [1]
    )
    assert.isArray(props.anomalies)

    // finalize is blocked until the unrated records are acknowledged
    await client
      .post(`/billing-runs/${run.id}/finalize`)
      .json({})
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    assert.equal((await db.from('billing_runs').where('id', run.id).first()).status, 'draft')
    // viewers cannot finalize
    const denied = await client
      .post(`/billing-runs/${run.id}/finalize`)
      .json({ allowUnrated: true })
      .loginAs(viewer)
      .withCsrfToken()
    denied.assertStatus(403)
    // the unrated record's number is none of the customer's services: that flag is acknowledged with a reason first
    const draft = await Invoice.findByOrFail('billing_run_id', run.id)
    await client
      .post(`/billing-runs/${run.id}/finalize`)
      .json({ allowUnrated: true })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    assert.equal((await db.from('billing_runs').where('id', run.id).first()).status, 'draft')
    await client
      .post(`/billing-runs/${run.id}/invoices/${draft.id}/acknowledge`)
      .json({ reason: 'number is being ported in' })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    await client
      .post(`/billing-runs/${run.id}/finalize`)
      .json({ allowUnrated: true })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    const invoice = await Invoice.findByOrFail('billing_run_id', run.id)
    assert.equal(invoice.status, 'finalized')
    assert.equal(invoice.number, 'INV-000001')

    const pdf = await client.get(`/invoices/${invoice.id}/pdf`).loginAs(viewer)
    pdf.assertStatus(200)
    assert.equal(pdf.header('content-type'), 'application/pdf')
    assert.match(pdf.header('content-disposition') ?? '', /^inline; filename="INV-000001.pdf"/)
    assert.equal(pdf.header('x-frame-options'), 'SAMEORIGIN')
    const text = await pdfText(pdf.body())
    assert.include(text, 'INV-000001')

    const page = await client.get(`/invoices/${invoice.id}`).withInertia().loginAs(viewer)
    page.assertStatus(200)
    page.assertInertiaComponent('invoices/show')

    // portal users never reach staff invoice routes
    const stranger = await client.get(`/invoices/${invoice.id}/pdf`).loginAs(portal)
    stranger.assertStatus(404)
    const anonymous = await client.get(`/invoices/${invoice.id}/pdf`).redirects(0)
    assert.oneOf(anonymous.status(), [302, 401])

    // a credit note is a numbered document against the finalized invoice
    await client
      .post(`/invoices/${invoice.id}/credit-notes`)
      .json({ reason: 'Goodwill credit', amount: '5.00' })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    const note = await db.from('credit_notes').firstOrFail()
    assert.equal(note.number, 'CN-000001')
    assert.equal(Number(note.subtotal_minor), 500)
    assert.equal(Number(note.tax_minor), 100)
    const notePdf = await client.get(`/credit-notes/${note.id}/pdf`).loginAs(viewer)
    notePdf.assertStatus(200)

    const audit = await db
      .from('audit_logs')
      .whereIn('action', ['billing_run.create', 'billing_run.finalize', 'credit_note.create'])
    assert.lengthOf(audit, 3)
  }).timeout(60_000)

  test('the HTML preview escapes data and blocks every external load', async ({
    client,
    assert,
  }) => {
    const f = await makeBillingFixture({ employees: 1 })
    await db
      .from('customers')
      .where('id', f.customer.id)
      .update({ name: '<img src="http://evil.example/x.png">Acme' })
    const billing = await makeUser('billing')
    await client
      .post('/billing-runs')
      .json({ period: f.period, customerIds: [f.customer.id] })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    const invoice = await Invoice.firstOrFail()
    const html = await client.get(`/invoices/${invoice.id}/html`).loginAs(billing)
    html.assertStatus(200)
    assert.include(html.text(), '&lt;img src&#x3D;&quot;http://evil.example/x.png&quot;&gt;Acme')
    assert.notInclude(html.text(), '<img src="http://evil.example')
    assert.match(html.header('content-security-policy') ?? '', /default-src 'none'/)
  })

  test('deliveries, job runs and settings pages', async ({ client, assert }) => {
    const billing = await makeUser('billing')
    const viewer = await makeUser('viewer')
    for (const path of ['/deliveries', '/jobs', '/settings', '/billing-runs']) {
      const res = await client.get(path).withInertia().loginAs(viewer)
      res.assertStatus(200)
    }
    const saved = await client
      .put('/settings')
      .json({
        supplier_name: 'Northwind Telecom Ltd',
        supplier_address: '1 Quay St\nBristol',
        supplier_vat_number: 'GB111222333',
        payment_details: 'Sort 00-11-22',
        invoice_prefix: 'NW-',
        credit_note_prefix: 'NWC-',
        auto_finalize: false,
        auto_send: true,
      })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    assert.oneOf(saved.status(), [200, 302, 303])
    const settings = await client.get('/settings').withInertia().loginAs(viewer)
    assert.equal(settings.inertiaProps.settings.supplier_name, 'Northwind Telecom Ltd')
    assert.equal(settings.inertiaProps.settings.invoice_prefix, 'NW-')
    const denied = await client
      .put('/settings')
      .json({ supplier_name: 'x', supplier_address: '', payment_details: '' })
      .loginAs(viewer)
      .withCsrfToken()
    denied.assertStatus(403)
  })
})
