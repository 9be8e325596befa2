import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Invoice from '#models/invoice'
import InvoiceLine from '#models/invoice_line'
import { loadTemplates } from '#documents/templates'
import { buildInvoiceView, type InvoiceSource } from '#documents/invoice_view'
import { invoiceTotals } from '#lib/money'

type LineAttrs = Partial<InvoiceLine> & {
  employeeId: number | null
  category: string
  amountMinor: number
}

function line(attrs: LineAttrs) {
  return Object.assign(new InvoiceLine(), {
    departmentId: null,
    serviceId: null,
    kind: 'usage',
    description: attrs.category,
    quantity: 1,
    unitPriceE4: 0,
    taxRateBp: 2000,
    usagePeriod: null,
    ...attrs,
  })
}

/** Two departments, three people, licences, calls with minutes and data with bytes, one unallocated line. */
function source(): InvoiceSource {
  const invoice = new Invoice()
  invoice.merge({
    id: 7,
    billingRunId: 1,
    customerId: 1,
    period: '2026-10',
    number: 'INV-000007',
    status: 'finalized',
    currency: 'GBP',
    issueDate: DateTime.fromISO('2026-11-01'),
    taxPoint: DateTime.fromISO('2026-11-01'),
    dueDate: DateTime.fromISO('2026-12-01'),
  })
  const lines = [
    line({
      id: 1,
      employeeId: 1,
      departmentId: 1,
      serviceId: 1,
      category: 'national',
      quantity: 14,
      amountMinor: 1_001,
    }),
    line({
      id: 2,
      employeeId: 1,
      departmentId: 1,
      serviceId: 1,
      category: 'data',
      quantity: 30,
      amountMinor: 250,
    }),
    line({
      id: 3,
      employeeId: 1,
      departmentId: 1,
      serviceId: 2,
      kind: 'recurring',
      category: 'licence',
      description: 'Microsoft 365 Business Premium (Oct 2026)',
      quantity: 1,
      unitPriceE4: 181_000,
      amountMinor: 1_810,
    }),
    line({
      id: 4,
      employeeId: 2,
      departmentId: 1,
      serviceId: 3,
      kind: 'recurring',
      category: 'licence',
      description: 'Microsoft 365 Business Premium (Oct 2026)',
      quantity: 2,
      unitPriceE4: 181_000,
      amountMinor: 3_620,
    }),
    line({
      id: 5,
      employeeId: 2,
      departmentId: 1,
      serviceId: 4,
      kind: 'recurring',
      category: 'line_rental',
      description: 'Line rental (Oct 2026)',
      quantity: 1,
      unitPriceE4: 125_000,
      amountMinor: 1_250,
    }),
    line({
      id: 6,
      employeeId: 3,
      departmentId: 2,
      serviceId: 5,
      category: 'sms',
      quantity: 12,
      amountMinor: 48,
    }),
    line({
      id: 7,
      employeeId: null,
      serviceId: 6,
      category: 'mobile',
      quantity: 2,
      amountMinor: 77,
    }),
  ]
  const totals = invoiceTotals(lines)
  invoice.merge({
    subtotalMinor: totals.subtotalMinor,
    taxMinor: totals.taxMinor,
    totalMinor: totals.totalMinor,
  })
  const snapshot = {
    customer: {
      name: 'Acme Ltd',
      account_number: 'ACC1',
      tax_rate_bp: 2000,
      payment_terms_days: 30,
      time_zone: 'Europe/London',
    },
    supplier: { name: 'Reseller Ltd', payment_details: 'Sort code 00-00-00' },
    employees: {
      1: { name: 'Ann Archer', employee_number: 'E1', department_id: 1 },
      2: { name: 'Bob Brown', employee_number: 'E2', department_id: 1 },
      3: { name: 'Cat Cole', employee_number: 'E3', department_id: 2 },
    },
    departments: { 1: { name: 'Sales' }, 2: { name: 'Support' } },
    services: {
      1: { identifier: '+447700900001' },
      2: { identifier: 'ann@acme.example' },
      3: { identifier: 'bob@acme.example' },
      4: { identifier: '+447700900002' },
      5: { identifier: '+447700900003' },
      6: { identifier: '+447700900009' },
    },
  }
  invoice.snapshot = snapshot
  const usage = [
    {
      period: '2026-10',
      employee_id: 1,
      service_id: 1,
      category: 'national',
      duration_s: 7_530,
      volume_bytes: 0,
      n: 14,
    },
    {
      period: '2026-10',
      employee_id: 1,
      service_id: 1,
      category: 'data',
      duration_s: 0,
      volume_bytes: 1_757_952_000,
      n: 30,
    },
    {
      period: '2026-10',
      employee_id: 3,
      service_id: 5,
      category: 'sms',
      duration_s: 0,
      volume_bytes: 0,
      n: 12,
    },
  ]
  const itemised = [
    {
      employee_id: 1,
      service_id: 1,
      identifier: '+447700900001',
      occurred_at: '2026-10-14 08:32:10',
      category: 'international',
      destination: '0033142685300',
      destination_name: 'France fixed',
      duration_s: 125,
      volume_bytes: 0,
      quantity: 1,
      price_e4: 450,
    },
  ]
  snapshot.customer = { ...snapshot.customer, itemise_calls: true } as any
  return { invoice, lines, snapshot, itemised, usage }
}

test.group('invoice layout: cost by user, Microsoft 365, quantities', () => {
  test('cost by user has department subtotals and a Microsoft 365 column', ({ assert }) => {
    const view = buildInvoiceView(source())
    const [sales, support] = view.cost_by_user.departments
    assert.equal(sales.name, 'Sales')
    assert.deepEqual(
      sales.people.map((p) => p.name),
      ['Ann Archer', 'Bob Brown']
    )
    assert.deepEqual(
      { usage: sales.usage, recurring: sales.recurring, m365: sales.m365, total: sales.total },
      { usage: '£12.51', recurring: '£12.50', m365: '£54.30', total: '£79.31' }
    )
    assert.equal(support.total, '£0.48')
    assert.equal(view.cost_by_user.unallocated?.total, '£0.77')
    assert.equal(view.cost_by_user.totals.total, '£80.56')
    assert.equal(view.cost_by_user.totals.m365, '£54.30')
  })

  test('Microsoft 365 licences are summed per product with a subtotal', ({ assert }) => {
    const view = buildInvoiceView(source())
    assert.deepEqual(view.m365?.rows, [
      {
        name: 'Microsoft 365 Business Premium',
        seats: '3 seats',
        unit_price: '£18.10',
        amount: '£54.30',
      },
    ])
    assert.equal(view.m365?.total, '£54.30')
  })

  test('usage lines carry minutes, MB/GB and messages; categories read as words', ({ assert }) => {
    const view = buildInvoiceView(source())
    const ann = view.people.find((p) => p.name === 'Ann Archer')!
    const texts = ann.services.flatMap((s) =>
      s.lines.map((l) => `${l.description}: ${l.quantity_text}`)
    )
    assert.includeMembers(texts, [
      'UK calls: 14 calls · 126 min',
      'Mobile data: 1.64 GB',
      'Microsoft 365 Business Premium (Oct 2026): 1 seat',
    ])
    const cat = view.people.find((p) => p.name === 'Cat Cole')!
    assert.equal(cat.services[0].lines[0].quantity_text, '12 messages')
    assert.equal(ann.services.find((s) => s.label.includes('07700'))?.label, '07700 900001')
    assert.deepEqual(
      view.categories.find((c) => c.label === 'UK calls')?.quantity_text,
      '14 calls · 126 min'
    )
  })

  test('itemised calls: local time, dialled number formatted with its country, price at 2 dp', ({
    assert,
  }) => {
    const view = buildInvoiceView(source())
    const item = view.itemised![0].items[0]
    assert.equal(item.time, '09:32')
    assert.equal(item.destination, '+33 1 42 68 53 00')
    assert.equal(item.destination_name, 'France fixed · France')
    assert.equal(item.amount, '2:05')
    assert.equal(item.price, '£0.05')
  })

  test('the PDF HTML prints the full-width table, the licence subtotal and a continued heading per user', ({
    assert,
  }) => {
    const html = loadTemplates().render('invoice', buildInvoiceView(source()))
    assert.include(html, 'class="section cost-by-user"')
    assert.include(html, 'Subtotal Sales')
    assert.include(html, 'Microsoft 365 subtotal')
    assert.include(html, 'Ann Archer · Sales (continued)')
    assert.include(html, 'Total Ann Archer: £30.61')
    assert.notInclude(html, 'line_rental')
    assert.notInclude(html, 'Mi addon')
  })
})
