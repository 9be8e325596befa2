import { test } from '@japa/runner'
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import Invoice from '#models/invoice'
import InvoiceLine from '#models/invoice_line'
import { loadTemplates } from '#documents/templates'
import { buildInvoiceView } from '#documents/invoice_view'
import { formatNumber } from '#billing/numbering'
import { categoryLabel } from '#billing/compute'
import { invoiceTotals } from '#lib/money'

function source(name = 'Acme & Sons <Ltd>') {
  const invoice = new Invoice()
  invoice.merge({
    id: 1,
    billingRunId: 1,
    customerId: 1,
    period: '2026-10',
    number: 'INV-000042',
    status: 'finalized',
    currency: 'GBP',
    issueDate: DateTime.fromISO('2026-11-01'),
    taxPoint: DateTime.fromISO('2026-11-01'),
    dueDate: DateTime.fromISO('2026-12-01'),
  })
  const lines = [
    Object.assign(new InvoiceLine(), {
      employeeId: 1,
      departmentId: 1,
      serviceId: 1,
      kind: 'usage',
      category: 'uk_mobile',
      description: 'x',
      quantity: 3,
      unitPriceE4: 0,
      amountMinor: 1001,
      taxRateBp: 2000,
    }),
    Object.assign(new InvoiceLine(), {
      employeeId: 1,
      departmentId: 1,
      serviceId: 1,
      kind: 'recurring',
      category: 'line_rental',
      description: 'Line rental',
      quantity: 1,
      unitPriceE4: 125000,
      amountMinor: 1250,
      taxRateBp: 2000,
    }),
    Object.assign(new InvoiceLine(), {
      employeeId: null,
      departmentId: null,
      serviceId: null,
      kind: 'usage',
      category: 'uk_landline',
      description: 'y',
      quantity: 2,
      unitPriceE4: 0,
      amountMinor: 77,
      taxRateBp: 2000,
    }),
  ]
  const totals = invoiceTotals(lines)
  invoice.merge({
    subtotalMinor: totals.subtotalMinor,
    taxMinor: totals.taxMinor,
    totalMinor: totals.totalMinor,
  })
  const snapshot = {
    taxes: totals.taxes,
    customer: {
      name,
      account_number: 'ACC1',
      address: '1 High St\nLondon',
      tax_rate_bp: 2000,
      payment_terms_days: 30,
    },
    supplier: {
      name: 'Reseller Ltd',
      address: 'Somewhere',
      vat_number: 'GB123456789',
      payment_details: 'Sort code 00-00-00',
    },
    employees: { 1: { name: 'Jane {{Doe}}', employee_number: 'E1', department_id: 1 } },
    departments: { 1: { name: 'Sales' } },
    services: { 1: { kind: 'mobile', identifier: '+447700900001', label: null } },
  }
  invoice.snapshot = snapshot
  return { invoice, lines, snapshot, itemised: null }
}

test.group('Invoice templates', (group) => {
  group.each.teardown(() => {
    delete process.env.TEMPLATE_OVERRIDES
  })

  test('data is HTML-escaped and per-employee totals are printed', ({ assert }) => {
    const t = loadTemplates()
    const html = t.render('invoice', buildInvoiceView(source()))
    assert.include(html, 'Acme &amp; Sons &lt;Ltd&gt;')
    assert.notInclude(html, '<Ltd>')
    assert.include(html, 'Jane {{Doe}}')
    assert.include(html, 'Total Jane {{Doe}}: £22.51')
    assert.include(html, 'Total Unallocated: £0.77')
    assert.include(html, 'VAT at 20% on £23.28')
    assert.include(html, '£27.94')
    assert.notMatch(html, /<script/i)
  })

  test('a same-named file in the override folder wins: colours, wording, logo', ({ assert }) => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-overrides-'))
    try {
      writeFileSync(join(dir, 'colours.hbs'), ':root { --brand: #ff0088; }')
      mkdirSync(join(dir, 'partials'))
      writeFileSync(
        join(dir, 'partials', 'wording.hbs'),
        '<p class="note">Pay {{supplier.name}} within {{payment_terms_days}} days, please.</p>'
      )
      writeFileSync(join(dir, 'logo.png'), Buffer.from('89504e470d0a1a0a', 'hex'))
      process.env.TEMPLATE_OVERRIDES = dir
      const t = loadTemplates()
      assert.match(t.logo!, /^data:image\/png;base64,/)
      const html = t.render('invoice', buildInvoiceView(source(), { logo: t.logo }))
      assert.include(html, '--brand: #ff0088')
      assert.include(html, 'Pay Reseller Ltd within 30 days, please.')
      assert.match(
        html,
        /<img src="data:image\/png;base64,[^"]+" alt="Reseller Ltd">/,
        html.slice(html.indexOf('class="logo"'), html.indexOf('class="logo"') + 200)
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    // without overrides the defaults come back
    const html = loadTemplates().render('invoice', buildInvoiceView(source()))
    assert.notInclude(html, '#ff0088')
  })

  test('document numbers and labels', ({ assert }) => {
    assert.equal(formatNumber('INV-', 7), 'INV-000007')
    assert.equal(formatNumber('', 1234567), '1234567')
    assert.equal(categoryLabel('uk_mobile'), 'UK mobile')
    assert.equal(categoryLabel('line_rental'), 'Line rental')
  })
})
