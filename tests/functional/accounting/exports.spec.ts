import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { createRun, finalizeRun } from '#billing/runs'
import { createCreditNote } from '#billing/credit_notes'
import { recordPayment } from '#payments/payments'
import { exportAccounts } from '#accounting/export'
import {
  ACCOUNTING_DEFAULTS,
  getAccountingSettings,
  saveAccountingSettings,
} from '#accounting/settings'
import {
  QUICKBOOKS_PAYMENTS_HEADERS,
  QUICKBOOKS_SALES_HEADERS,
  SAGE_HEADERS,
  XERO_PAYMENTS_HEADERS,
  XERO_SALES_HEADERS,
} from '#accounting/formats'
import { makeBillingFixture } from '../billing/fixtures.js'
import { minor, readCsv, sum } from './support.js'

const CODES = {
  ...ACCOUNTING_DEFAULTS,
  accounts: {
    ...ACCOUNTING_DEFAULTS.accounts,
    line_rental: '4110',
    data: '4220',
    other: '4999',
    credit: '4900',
  },
  taxes: [{ rateBp: 2000, xero: '20% (VAT on Income)', sage: 'T1', quickbooks: '20.0% S' }],
  sageBankNominal: '1210',
}

/** Two customers billed in one finalized run; a credit note on one invoice, a payment in full on the other and part of the first. */
async function monthBilled() {
  const a = await makeBillingFixture({ employees: 3, recordsPerService: 3 })
  const b = await makeBillingFixture({ employees: 2, recordsPerService: 2 })
  const { run } = await createRun({ period: a.period, customerIds: [a.customer.id, b.customer.id] })
  await finalizeRun(run.id)
  const invoices = await db.from('invoices').where('billing_run_id', run.id).orderBy('id')
  const [first, second] = invoices
  await createCreditNote({
    invoiceId: first.id,
    reason: 'Goodwill credit for an outage',
    netMinor: 1001,
  })
  const paidOn = String(
    first.issue_date instanceof Date ? first.issue_date.toISOString() : first.issue_date
  ).slice(0, 10)
  await recordPayment({
    customerId: Number(second.customer_id),
    receivedOn: paidOn,
    amountMinor: Number(second.total_minor),
    method: 'bank_transfer',
    reference: `=HYPERLINK("x") ${second.number}`,
    allocations: [{ invoiceId: second.id, amountMinor: Number(second.total_minor) }],
  })
  await recordPayment({
    customerId: Number(first.customer_id),
    receivedOn: paidOn,
    amountMinor: 2500,
    method: 'cheque',
    reference: 'CHQ 100231',
    allocations: [{ invoiceId: first.id, amountMinor: 2500 }],
  })
  const notes = await db.from('credit_notes').whereIn(
    'invoice_id',
    invoices.map((i: any) => i.id)
  )
  const groups = await db
    .from('invoice_lines')
    .whereIn(
      'invoice_id',
      invoices.map((i: any) => i.id)
    )
    .groupBy('invoice_id', 'category', 'tax_rate_bp')
    .select('invoice_id', 'category')
  return {
    run,
    invoices,
    notes,
    issueDate: paidOn,
    expectedRows: groups.length + notes.length,
    lineRentalRows: groups.filter((g: any) => g.category === 'line_rental').length,
    salesMinor:
      sum(invoices.map((i: any) => Number(i.total_minor))) -
      sum(notes.map((n: any) => Number(n.total_minor))),
    paymentsMinor: Number(second.total_minor) + 2500,
  }
}

test.group('accounting: Xero, Sage and QuickBooks files', (group) => {
  group.each.setup(() => truncateAll())

  test('Xero sales invoices: documented headers, one row per category and rate, exact total, codes from settings', async ({
    assert,
  }) => {
    await saveAccountingSettings(CODES)
    const m = await monthBilled()
    const file = await exportAccounts('xero', 'sales', { runId: m.run.id })
    const { headers, records } = readCsv(file.csv)
    assert.deepEqual(headers, XERO_SALES_HEADERS)
    assert.lengthOf(records, m.expectedRows)
    assert.equal(
      sum(
        records.map((r) => minor(r['*UnitAmount']) * Number(r['*Quantity']) + minor(r.TaxAmount))
      ),
      m.salesMinor
    )
    assert.equal(file.totalMinor, m.salesMinor)
    const rental = records.filter((r) => r['*Description'].startsWith('Line rental'))
    assert.lengthOf(rental, m.lineRentalRows)
    assert.isTrue(
      rental.every((r) => r['*AccountCode'] === '4110' && r['*TaxType'] === '20% (VAT on Income)')
    )
    const credit = records.filter((r) => r['*InvoiceNumber'] === m.notes[0].number)
    assert.lengthOf(credit, 1)
    assert.equal(minor(credit[0]['*UnitAmount']), -1001, 'a credit note is a negative document')
    assert.equal(credit[0]['*AccountCode'], '4900')
    assert.equal(credit[0].Reference, m.invoices[0].number)
    assert.match(records[0]['*InvoiceDate'], /^\d{2}\/\d{2}\/\d{4}$/)
    assert.equal(records[0]['*InvoiceDate'], m.issueDate.split('-').reverse().join('/'))
    // Each invoice adds up to its own total, not only the file.
    for (const invoice of m.invoices) {
      const rows = records.filter((r) => r['*InvoiceNumber'] === invoice.number)
      assert.equal(
        sum(rows.map((r) => minor(r['*UnitAmount']) + minor(r.TaxAmount))),
        Number(invoice.total_minor)
      )
    }
  })

  test('Sage 50 audit trail: SI and SC with nominal and tax codes; SA receipts to the bank nominal', async ({
    assert,
  }) => {
    await saveAccountingSettings(CODES)
    const m = await monthBilled()
    const sales = readCsv((await exportAccounts('sage', 'sales', { runId: m.run.id })).csv)
    assert.deepEqual(sales.headers, SAGE_HEADERS)
    assert.lengthOf(sales.records, m.expectedRows)
    const signed = sales.records.map(
      (r) => (r.Type === 'SC' ? -1 : 1) * (minor(r['Net Amount']) + minor(r['Tax Amount']))
    )
    assert.equal(sum(signed), m.salesMinor)
    assert.deepEqual([...new Set(sales.records.map((r) => r.Type))].sort(), ['SC', 'SI'])
    assert.isTrue(sales.records.every((r) => minor(r['Net Amount']) > 0 && r['Tax Code'] === 'T1'))
    assert.isTrue(
      sales.records
        .filter((r) => r.Details.startsWith('Line rental'))
        .every((r) => r['Nominal A/C Ref'] === '4110')
    )
    const accounts = new Set(m.invoices.map((i: any) => i.customer_id))
    assert.equal(new Set(sales.records.map((r) => r['Account Reference'])).size, accounts.size)

    const receipts = readCsv((await exportAccounts('sage', 'payments', { runId: m.run.id })).csv)
    assert.deepEqual(receipts.headers, SAGE_HEADERS)
    assert.lengthOf(receipts.records, 2)
    assert.equal(sum(receipts.records.map((r) => minor(r['Net Amount']))), m.paymentsMinor)
    assert.isTrue(
      receipts.records.every(
        (r) => r.Type === 'SA' && r['Nominal A/C Ref'] === '1210' && r['Tax Code'] === 'T9'
      )
    )
  })

  test('QuickBooks Online invoices and bank upload; Xero bank statement; a date range gives the same documents as the run', async ({
    assert,
  }) => {
    await saveAccountingSettings(CODES)
    const m = await monthBilled()
    const range = { from: m.issueDate, to: m.issueDate }
    for (const selection of [{ runId: m.run.id }, range]) {
      const qbo = readCsv((await exportAccounts('quickbooks', 'sales', selection)).csv)
      assert.deepEqual(qbo.headers, QUICKBOOKS_SALES_HEADERS)
      assert.lengthOf(qbo.records, m.expectedRows)
      assert.equal(
        sum(qbo.records.map((r) => minor(r.ItemAmount) + minor(r.ItemTaxAmount))),
        m.salesMinor
      )
      assert.isTrue(
        qbo.records.every(
          (r) =>
            minor(r.ItemAmount) === minor(r.ItemRate) * Number(r.ItemQuantity) &&
            r.ItemTaxCode === '20.0% S'
        )
      )
      assert.isTrue(
        qbo.records
          .filter((r) => r.ItemDescription.startsWith('Line rental'))
          .every((r) => r['Item(Product/Service)'] === '4110 Line rental')
      )
    }
    const bank = readCsv((await exportAccounts('quickbooks', 'payments', range)).csv)
    assert.deepEqual(bank.headers, QUICKBOOKS_PAYMENTS_HEADERS)
    assert.equal(sum(bank.records.map((r) => minor(r.Amount))), m.paymentsMinor)
    const xero = await exportAccounts('xero', 'payments', range)
    const statement = readCsv(xero.csv)
    assert.deepEqual(statement.headers, XERO_PAYMENTS_HEADERS)
    assert.lengthOf(statement.records, 2)
    assert.equal(sum(statement.records.map((r) => minor(r['*Amount']))), m.paymentsMinor)
    // Formula injection: a reference starting with = is an apostrophe-prefixed text cell.
    assert.include(
      statement.records.map((r) => r.Reference),
      `'=HYPERLINK("x") ${m.invoices[1].number}`
    )
    assert.notInclude(xero.csv, '\n=HYPERLINK')
    // A range with nothing in it is a file with only its header row.
    assert.lengthOf(
      readCsv((await exportAccounts('xero', 'sales', { from: '2020-01-01', to: '2020-01-31' })).csv)
        .records,
      0
    )
  })

  test('a VAT rate without tax codes, a draft run or an upside-down range is refused with the reason; nothing is exported', async ({
    assert,
  }) => {
    await saveAccountingSettings({
      ...CODES,
      taxes: [{ rateBp: 500, xero: '5% (VAT on Income)', sage: 'T5', quickbooks: '5.0% R' }],
    })
    const m = await monthBilled()
    await assert.rejects(
      () => exportAccounts('sage', 'sales', { runId: m.run.id }),
      /has VAT at 20\.00%, which has no tax codes/
    )
    const f = await makeBillingFixture({ employees: 1, recordsPerService: 1 })
    const { run } = await createRun({ period: '2026-09', customerIds: [f.customer.id] })
    await assert.rejects(
      () => exportAccounts('xero', 'sales', { runId: run.id }),
      /Only a finalized run can be exported/
    )
    await assert.rejects(
      () => exportAccounts('xero', 'sales', { from: '2026-12-01', to: '2026-11-01' }),
      /start date is after the end date/
    )
  })

  test('staff download files over HTTP; editors change the codes, bad codes are refused by field; viewers cannot change them', async ({
    client,
    assert,
  }) => {
    const m = await monthBilled()
    const viewer = await makeUser('viewer')
    const billing = await makeUser('billing')
    const page = await client
      .get(`/accounting/exports?runId=${m.run.id}`)
      .withInertia()
      .loginAs(viewer)
    page.assertStatus(200)
    page.assertInertiaComponent('accounting/export')
    assert.equal(page.inertiaProps.summary.invoices, m.invoices.length)
    assert.equal(page.inertiaProps.summary.creditNotes, 1)

    const download = await client
      .get(`/accounting/exports/download?product=sage&file=sales&runId=${m.run.id}`)
      .loginAs(viewer)
    download.assertStatus(200)
    assert.match(
      download.header('content-disposition')!,
      /attachment; filename="tollgate-sage-sales-run-\d+-2026-10\.csv"/
    )
    assert.equal(
      sum(
        readCsv(download.text()).records.map(
          (r) => (r.Type === 'SC' ? -1 : 1) * (minor(r['Net Amount']) + minor(r['Tax Amount']))
        )
      ),
      m.salesMinor
    )

    const settings = await client.get('/accounting/settings').withInertia().loginAs(viewer)
    const props = settings.inertiaProps
    assert.equal(props.categories.find((c: any) => c.code === 'line_rental').account, '4010')
    const form = {
      accounts: Object.fromEntries(props.categories.map((c: any) => [c.code, c.account])),
      taxes: props.taxes,
      sageBankNominal: '1200',
    }

    const denied = await client
      .put('/accounting/settings')
      .json({ ...form, sageBankNominal: '1299' })
      .loginAs(viewer)
      .withCsrfToken()
    denied.assertStatus(403)
    const bad = await client
      .put('/accounting/settings')
      .json({ ...form, accounts: { ...form.accounts, licence: '40 30' } })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    assert.equal(
      bad.inertiaProps.errors['accounts.licence'],
      'Microsoft 365 licences: an account code is 1 to 10 letters or digits'
    )
    const badTax = await client
      .put('/accounting/settings')
      .json({
        ...form,
        taxes: [{ rate: '20', xero: '20% (VAT on Income)', sage: 'X1', quickbooks: '20.0% S' }],
      })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    assert.isString(badTax.inertiaProps.errors['taxes.0.sage'])
    assert.equal((await getAccountingSettings()).accounts.licence, '4030', 'nothing was saved')

    await client
      .put('/accounting/settings')
      .json({
        ...form,
        accounts: { ...form.accounts, licence: '4031' },
        taxes: [
          ...form.taxes,
          { rate: '17.5', xero: '17.5% (VAT on Income)', sage: 't3', quickbooks: '17.5% S' },
        ],
      })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    const saved = await getAccountingSettings()
    assert.equal(saved.accounts.licence, '4031')
    assert.deepEqual(
      saved.taxes.find((t) => t.rateBp === 1750),
      { rateBp: 1750, xero: '17.5% (VAT on Income)', sage: 'T3', quickbooks: '17.5% S' }
    )
    const audit = await db.from('audit_logs').where('action', 'accounting.settings').first()
    assert.equal(Number(audit.user_id), billing.id)
  })
})
