import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer } from '#tests/helpers/factories'
import { recordPayment, allocatePayment } from '#payments/payments'
import { applyCreditNote } from '#payments/credit_applications'
import { accountCredit, invoiceBalances } from '#payments/balances'
import { agedDebt, agedInvoices, agedDebtTables } from '#payments/aged_debt'
import { statementData } from '#payments/statement'
import { createCreditNote } from '#billing/credit_notes'
import { customerWithInvoices, makeInvoice } from './support.js'

const NOW = new Date('2026-11-20T12:00:00Z')

test.group('payments: recording, allocation, status', (group) => {
  group.each.setup(() => truncateAll())

  test('one payment covers one invoice, part of another, and the rest stays as account credit', async ({
    assert,
  }) => {
    const { customer, invoices } = await customerWithInvoices()
    const [sept, oct, nov] = invoices
    const payment = await recordPayment({
      customerId: customer.id,
      receivedOn: '2026-11-10',
      amountMinor: 20000,
      method: 'bank_transfer',
      reference: 'BACS 123',
      allocations: [
        { invoiceId: sept.id, amountMinor: 12000 },
        { invoiceId: oct.id, amountMinor: 5000 },
      ],
    })
    const balances = new Map(
      (await invoiceBalances({ customerIds: [customer.id], now: NOW })).map((b) => [b.id, b])
    )
    assert.equal(balances.get(sept.id)!.status, 'paid')
    assert.equal(balances.get(sept.id)!.outstandingMinor, 0)
    assert.equal(balances.get(oct.id)!.status, 'overdue', 'part-paid after its due date is overdue')
    assert.equal(balances.get(oct.id)!.outstandingMinor, 19000)
    assert.equal(balances.get(nov.id)!.status, 'overdue')
    assert.deepEqual(await accountCredit(customer.id), {
      unallocatedPaymentsMinor: 3000,
      unappliedCreditNotesMinor: 0,
      totalMinor: 3000,
    })

    // The credit is allocated later to the newest invoice; more than is left is refused.
    await assert.rejects(
      () => allocatePayment(payment.id, [{ invoiceId: nov.id, amountMinor: 3001 }]),
      /more than the £30.00 available/
    )
    const after = await allocatePayment(payment.id, [{ invoiceId: nov.id, amountMinor: 3000 }])
    assert.equal(after.leftMinor, 0)
    assert.equal((await accountCredit(customer.id)).totalMinor, 0)
    const audit = await db.from('audit_logs').where('subject_type', 'payment').orderBy('id')
    assert.deepEqual(
      audit.map((a) => a.action),
      ['payment.record', 'payment.allocate']
    )
  })

  test('part-paid before the due date; unpaid; paid — in the customer time zone', async ({
    assert,
  }) => {
    // 23:30 UTC on the due date is already the next day in Auckland: overdue there, not in London.
    const lateEvening = new Date('2026-12-01T23:30:00Z')
    const london = await makeCustomer({ timeZone: 'Europe/London' })
    const auckland = await makeCustomer({ timeZone: 'Pacific/Auckland' })
    const a = await makeInvoice(london, {
      totalMinor: 1000,
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
    })
    const b = await makeInvoice(auckland, {
      totalMinor: 1000,
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
    })
    const statusOf = async (id: number) =>
      (await invoiceBalances({ invoiceIds: [id], now: lateEvening }))[0].status
    assert.equal(await statusOf(a.id), 'unpaid')
    assert.equal(await statusOf(b.id), 'overdue')
    await recordPayment({
      customerId: london.id,
      receivedOn: '2026-11-30',
      amountMinor: 400,
      method: 'card',
      allocations: [{ invoiceId: a.id, amountMinor: 400 }],
    })
    assert.equal(await statusOf(a.id), 'part_paid')
    await recordPayment({
      customerId: london.id,
      receivedOn: '2026-11-30',
      amountMinor: 600,
      method: 'card',
      allocations: [{ invoiceId: a.id, amountMinor: 600 }],
    })
    assert.equal(await statusOf(a.id), 'paid')
  })

  test('bad payments are refused with the field at fault and write nothing', async ({ assert }) => {
    const { customer, invoices } = await customerWithInvoices()
    const other = await customerWithInvoices()
    const cases: [any, RegExp, string][] = [
      [{ amountMinor: 0 }, /more than zero/, 'amount'],
      [{ receivedOn: '2026-13-01' }, /date/, 'receivedOn'],
      [
        { allocations: [{ invoiceId: invoices[0].id, amountMinor: 12001 }], amountMinor: 20000 },
        /only £120.00 left/,
        'allocations.0.amount',
      ],
      [
        { allocations: [{ invoiceId: other.invoices[0].id, amountMinor: 100 }] },
        /not a finalized invoice of this customer/,
        'allocations.0.amount',
      ],
      [
        { amountMinor: 100, allocations: [{ invoiceId: invoices[0].id, amountMinor: 101 }] },
        /more than the £1.00 available/,
        'allocations',
      ],
    ]
    for (const [change, message, field] of cases) {
      const error = await recordPayment({
        customerId: customer.id,
        receivedOn: '2026-11-10',
        amountMinor: 5000,
        method: 'cheque',
        ...change,
      }).catch((e) => e)
      assert.match(error.message, message)
      assert.equal(error.field, field)
    }
    assert.equal(Number((await db.from('payments').count('* as n').first()).n), 0)
    assert.equal(Number((await db.from('payment_allocations').count('* as n').first()).n), 0)
  })

  test('a credit note settles its own invoice; on a paid invoice it becomes credit applied to another', async ({
    assert,
  }) => {
    const { customer, invoices } = await customerWithInvoices()
    const [sept, oct] = invoices
    // The invoice subtotal is 10000 net; a 5000 net credit at 20% VAT is 6000 gross.
    const note = await createCreditNote({
      invoiceId: sept.id,
      reason: 'Roaming overcharge',
      netMinor: 5000,
    })
    const [b1] = await invoiceBalances({ invoiceIds: [sept.id], now: NOW })
    assert.equal(b1.creditedMinor, 6000)
    assert.equal(b1.outstandingMinor, 6000)
    await recordPayment({
      customerId: customer.id,
      receivedOn: '2026-11-10',
      amountMinor: 6000,
      method: 'bank_transfer',
      allocations: [{ invoiceId: sept.id, amountMinor: 6000 }],
    })
    // Now fully paid: a second credit note finds nothing left to settle and stays as account credit.
    const second = await createCreditNote({
      invoiceId: sept.id,
      reason: 'Goodwill',
      netMinor: 1000,
    })
    assert.equal((await accountCredit(customer.id)).unappliedCreditNotesMinor, second.totalMinor)
    await applyCreditNote(second.id, oct.id, second.totalMinor)
    const [b2] = await invoiceBalances({ invoiceIds: [oct.id], now: NOW })
    assert.equal(b2.creditedMinor, second.totalMinor)
    assert.equal((await accountCredit(customer.id)).totalMinor, 0)
    await assert.rejects(() => applyCreditNote(note.id, oct.id, 1), /more than the £0.00 available/)
  })

  test('aged debt buckets by days past due, nets unallocated credit, and the export sums to the table', async ({
    assert,
  }) => {
    const { customer, invoices } = await customerWithInvoices()
    const [, oct] = invoices
    await makeInvoice(customer, {
      totalMinor: 999,
      issueDate: '2026-11-15',
      dueDate: '2026-12-15',
      period: '2026-10',
    })
    await makeInvoice(customer, {
      totalMinor: 555,
      issueDate: '2026-06-01',
      dueDate: '2026-07-01',
      period: '2026-05',
    })
    await recordPayment({
      customerId: customer.id,
      receivedOn: '2026-11-10',
      amountMinor: 4500,
      method: 'bank_transfer',
      allocations: [{ invoiceId: oct.id, amountMinor: 4000 }],
    })
    const report = await agedDebt({ now: NOW })
    const row = report.rows.find((r) => r.customerId === customer.id)!
    // 2026-11-20: Sept due → 80 days, Oct → 50, Nov → 19, Dec → not due, Jul → 142.
    assert.deepEqual(row.buckets, {
      current: 999,
      d1_30: 36050,
      d31_60: 20000,
      d61_90: 12000,
      d90_plus: 555,
    })
    assert.equal(row.owedMinor, 999 + 36050 + 20000 + 12000 + 555)
    assert.equal(row.creditMinor, 500)
    assert.equal(row.netMinor, row.owedMinor - 500)
    const drill = await agedInvoices(customer.id, NOW)
    assert.deepEqual(
      drill.map((i) => i.bucket),
      ['d90_plus', 'd61_90', 'd31_60', 'd1_30', 'current']
    )
    const [customers, open] = await agedDebtTables(report)
    assert.equal(customers.rows[0].owed, row.owedMinor)
    assert.equal(
      open.rows.reduce((s, r) => s + r.outstanding, 0),
      row.owedMinor
    )
  })

  test('statement of account: opening balance, the range in date order, closing balance', async ({
    assert,
  }) => {
    const { customer, invoices } = await customerWithInvoices()
    const [sept, oct, nov] = invoices
    await recordPayment({
      customerId: customer.id,
      receivedOn: '2026-08-20',
      amountMinor: 12000,
      method: 'bank_transfer',
      reference: 'Early',
      allocations: [{ invoiceId: sept.id, amountMinor: 12000 }],
    })
    await recordPayment({
      customerId: customer.id,
      receivedOn: '2026-09-15',
      amountMinor: 10000,
      method: 'bank_transfer',
      reference: 'Part',
      allocations: [{ invoiceId: oct.id, amountMinor: 10000 }],
    })
    const data = await statementData(customer.id, '2026-09-01', '2026-10-31')
    // Before September: Aug invoice 120.00 − payment 120.00.
    assert.equal(data.openingMinor, 0)
    assert.deepEqual(
      data.entries.map((e) => [e.date, e.kind, e.debitMinor, e.creditMinor, e.balanceMinor]),
      [
        ['2026-09-01', 'invoice', 24000, 0, 24000],
        ['2026-09-15', 'payment', 0, 10000, 14000],
        ['2026-10-02', 'invoice', nov.totalMinor, 0, 14000 + nov.totalMinor],
      ]
    )
    assert.equal(data.closingMinor, 14000 + nov.totalMinor)
    const later = await statementData(customer.id, '2026-11-01', '2026-11-30')
    assert.equal(later.openingMinor, data.closingMinor)
    await assert.rejects(
      () => statementData(customer.id, '2026-11-30', '2026-11-01'),
      /ends before it starts/
    )
  })
})
