import { test } from '@japa/runner'
import ExcelJS from 'exceljs'
import db from '@adonisjs/lucid/services/db'
import { binaryResponses } from '#tests/helpers/binary_responses'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { pdfText } from '#tests/helpers/smtp_peer'
import { saveProfile } from '#payments/bank_import'
import { customerWithInvoices } from './support.js'

const count = async (table: string) => Number((await db.from(table).count('* as n').first()).n)

test.group('payments: pages and files over HTTP', (group) => {
  binaryResponses(group)
  group.each.setup(() => truncateAll())

  test('billing staff record a payment split over invoices; viewers read but cannot; portal users get 404', async ({
    client,
    assert,
  }) => {
    const { customer, invoices } = await customerWithInvoices()
    const billing = await makeUser('billing')
    const viewer = await makeUser('viewer')
    const portal = await makeUser('portal', { customerId: customer.id })

    const form = await client
      .get(`/payments/new?customer=${customer.id}`)
      .withInertia()
      .loginAs(billing)
    form.assertStatus(200)
    assert.deepEqual(
      form.inertiaProps.openInvoices.map((i: any) => i.number),
      invoices.map((i) => i.number)
    )

    const body = {
      customerId: customer.id,
      receivedOn: '2026-11-10',
      amount: '1,250.00',
      method: 'bank_transfer',
      reference: 'BACS',
      allocations: [
        { invoiceId: invoices[0].id, amount: '120.00' },
        { invoiceId: invoices[1].id, amount: '' },
        { invoiceId: invoices[2].id, amount: '100.5' },
      ],
    }
    const denied = await client.post('/payments').json(body).loginAs(viewer).withCsrfToken()
    denied.assertStatus(403)
    const stranger = await client.post('/payments').json(body).loginAs(portal).withCsrfToken()
    stranger.assertStatus(404)
    assert.equal(await count('payments'), 0)

    const saved = await client
      .post('/payments')
      .json(body)
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    saved.assertStatus(200)
    const payment = await db.from('payments').firstOrFail()
    assert.equal(Number(payment.amount_minor), 125000)
    const allocations = await db
      .from('payment_allocations')
      .orderBy('invoice_id')
      .select('invoice_id', 'amount_minor')
    assert.deepEqual(
      allocations.map((a) => [Number(a.invoice_id), Number(a.amount_minor)]),
      [
        [invoices[0].id, 12000],
        [invoices[2].id, 10050],
      ]
    )

    const show = await client.get(`/payments/${payment.id}`).withInertia().loginAs(viewer)
    assert.equal(show.inertiaProps.payment.unallocated, '£1,029.50')
    const account = await client
      .get(`/customers/${customer.id}/account`)
      .withInertia()
      .loginAs(viewer)
    // Newest first; every due date is behind the clock, so what is not paid is overdue.
    assert.deepEqual(
      account.inertiaProps.invoices.map((i: any) => [i.number, i.status]),
      [
        [invoices[2].number, 'overdue'],
        [invoices[1].number, 'overdue'],
        [invoices[0].number, 'paid'],
      ]
    )
    assert.equal(account.inertiaProps.summary.credit, '£1,029.50')
    const list = await client
      .get(`/customers/${customer.id}/invoices`)
      .withInertia()
      .loginAs(viewer)
    assert.equal(
      list.inertiaProps.invoices.find((i: any) => i.id === invoices[0].id).payment.status,
      'paid'
    )
    const customerPage = await client.get(`/customers/${customer.id}`).withInertia().loginAs(viewer)
    assert.equal(customerPage.inertiaProps.account.credit, '£1,029.50')
    const invoicePage = await client
      .get(`/invoices/${invoices[0].id}`)
      .withInertia()
      .loginAs(viewer)
    assert.equal(invoicePage.inertiaProps.settlement.status, 'paid')
    const portalAccount = await client.get(`/customers/${customer.id}/account`).loginAs(portal)
    portalAccount.assertStatus(404)

    // A bad amount is a field error and writes nothing more.
    await client
      .post('/payments')
      .json({ ...body, amount: '12.345' })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    assert.equal(await count('payments'), 1)
  })

  test('aged debt page, CSV and XLSX agree; the statement of account PDF carries the balances', async ({
    client,
    assert,
  }) => {
    const { customer } = await customerWithInvoices()
    const viewer = await makeUser('viewer')
    const page = await client.get('/aged-debt').withInertia().loginAs(viewer)
    page.assertStatus(200)
    const row = page.inertiaProps.rows.find((r: any) => r.customerId === customer.id)
    assert.equal(row.owed, '£720.50')

    const csv = await client.get('/aged-debt/export?format=csv').loginAs(viewer)
    csv.assertStatus(200)
    const lines = csv.text().trim().split(/\r\n/)
    assert.match(
      lines[0],
      /^Account,Customer,Currency,Current,1–30 days,31–60 days,61–90 days,90\+ days,Total owed/
    )
    assert.include(lines[1], '720.50')

    const xlsx = await client.get('/aged-debt/export?format=xlsx').loginAs(viewer)
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(xlsx.body())
    const sheet = book.getWorksheet('Open invoices')!
    let sum = 0
    sheet.eachRow((r, n) => {
      if (n > 1) sum += Math.round(Number(r.getCell(7).value) * 100)
    })
    assert.equal(sum, 72050)

    const drill = await client
      .get(`/aged-debt/customers/${customer.id}`)
      .withInertia()
      .loginAs(viewer)
    assert.lengthOf(drill.inertiaProps.invoices, 3)

    const pdf = await client
      .get(`/customers/${customer.id}/statement?from=2026-09-01&to=2026-12-31`)
      .loginAs(viewer)
    pdf.assertStatus(200)
    assert.equal(pdf.header('content-type'), 'application/pdf')
    const text = await pdfText(pdf.body())
    assert.include(text, 'Statement of account')
    assert.match(text, /Opening balance\s+£120\.00/)
    assert.match(text, /Closing balance\s+£720\.50/)
  })

  test('statement upload over HTTP: imported once, a bad file names line and field', async ({
    client,
    assert,
  }) => {
    const { invoices } = await customerWithInvoices()
    const billing = await makeUser('billing')
    const profile = await saveProfile({
      name: 'Plain',
      dateColumn: 'Date',
      amountColumn: 'Amount',
      referenceColumn: 'Reference',
      dateFormat: 'yyyy-MM-dd',
    })
    const good = Buffer.from(
      `Date,Amount,Reference\n2026-11-03,120.00,${invoices[0].number}\n2026-11-04,5.00,WHO\n`
    )
    const first = await client
      .post('/bank-statements')
      .field('profileId', String(profile.id))
      .file('file', good, { filename: 'nov.csv' })
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    first.assertStatus(302)
    assert.equal(await count('payments'), 1)
    await client
      .post('/bank-statements')
      .field('profileId', String(profile.id))
      .file('file', good, { filename: 'nov.csv' })
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    assert.equal(await count('bank_statement_lines'), 2)
    const queue = await client.get('/bank-statements/unmatched').withInertia().loginAs(billing)
    assert.lengthOf(queue.inertiaProps.lines, 1)

    const bad = Buffer.from('Date,Amount,Reference\n2026-11-05,abc,X\n')
    const refused = await client
      .post('/bank-statements')
      .field('profileId', String(profile.id))
      .file('file', bad, { filename: 'bad.csv' })
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(302)
    refused.assertFlashMessage(
      'error',
      'Nothing was imported. bad.csv: line 2, Amount: "abc" is not an amount ("abc" is not a decimal number)'
    )
    assert.equal(await count('bank_statement_imports'), 2)
  })
})
