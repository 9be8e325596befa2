import { test } from '@japa/runner'
import {
  ageBucket,
  allocateOldestFirst,
  daysOverdue,
  localToday,
  parseSchedule,
  paymentStatus,
  stepReached,
} from '#payments/status'
import { parseStatement, parseStatementAmount, referenceTokens } from '#payments/statement_csv'
import { matchLine } from '#payments/bank_import'

const money = (paid: number, credited = 0) => ({
  totalMinor: 10000,
  paidMinor: paid,
  creditedMinor: credited,
})

test.group('payments: pure rules', () => {
  test('payment status from money and the due date', ({ assert }) => {
    assert.equal(
      paymentStatus(money(0), '2026-12-01', '2026-12-01'),
      'unpaid',
      'due today is not overdue'
    )
    assert.equal(paymentStatus(money(0), '2026-12-01', '2026-12-02'), 'overdue')
    assert.equal(paymentStatus(money(1), '2026-12-01', '2026-11-30'), 'part_paid')
    assert.equal(
      paymentStatus(money(5000, 5000), '2026-12-01', '2027-06-01'),
      'paid',
      'credit notes count'
    )
    assert.equal(paymentStatus(money(12000), null, '2026-12-01'), 'paid', 'overpaid is paid')
  })

  test('the local day and the days overdue', ({ assert }) => {
    const at = new Date('2026-06-30T23:30:00Z')
    assert.equal(localToday('Europe/London', at), '2026-07-01', 'BST')
    assert.equal(localToday('America/New_York', at), '2026-06-30')
    assert.equal(localToday('Not/AZone', at), '2026-07-01', 'a bad zone falls back to London')
    assert.equal(daysOverdue('2026-02-28', '2026-03-01'), 1)
    assert.equal(daysOverdue('2026-03-28', '2026-03-30'), 2, 'across the clock change')
  })

  test('aged debt buckets at their edges', ({ assert }) => {
    assert.deepEqual([0, 1, 30, 31, 60, 61, 90, 91, -5].map(ageBucket), [
      'current',
      'd1_30',
      'd1_30',
      'd31_60',
      'd31_60',
      'd61_90',
      'd61_90',
      'd90_plus',
      'current',
    ])
  })

  test('oldest first allocation and the dunning schedule', ({ assert }) => {
    assert.deepEqual(
      allocateOldestFirst(150, [
        { id: 1, outstandingMinor: 100 },
        { id: 2, outstandingMinor: 0 },
        { id: 3, outstandingMinor: 100 },
      ]),
      {
        allocations: [
          { invoiceId: 1, amountMinor: 100 },
          { invoiceId: 3, amountMinor: 50 },
        ],
        leftMinor: 0,
      }
    )
    assert.deepEqual(allocateOldestFirst(250, [{ id: 1, outstandingMinor: 100 }]).leftMinor, 150)
    assert.deepEqual(parseSchedule('30, 7 14,7'), [7, 14, 30])
    assert.throws(() => parseSchedule('7, 0'), /"0" is not a number of days/)
    assert.deepEqual(
      [6, 7, 13, 14, 29, 30, 400].map((d) => stepReached([7, 14, 30], d)),
      [0, 1, 1, 2, 2, 3, 3]
    )
  })

  test('statement amounts, references, and matching by number and exact amount', ({ assert }) => {
    assert.deepEqual(
      ['12.00', '-12.5', '£1,234.56', '(7.00)', '-£3.10', '99 GBP'].map(parseStatementAmount),
      [1200, -1250, 123456, -700, -310, 9900]
    )
    assert.throws(() => parseStatementAmount('1.005'))
    assert.deepEqual(referenceTokens('pay inv-000123, ACME/ref.'), [
      'PAY',
      'INV-000123',
      'ACME/REF',
    ])
    const open = new Map([
      ['INV-000123', { id: 1, number: 'INV-000123', customerId: 9, outstandingMinor: 5000 } as any],
      ['INV-000124', { id: 2, number: 'INV-000124', customerId: 9, outstandingMinor: 2500 } as any],
      ['INV-000999', { id: 3, number: 'INV-000999', customerId: 8, outstandingMinor: 100 } as any],
    ])
    assert.deepEqual(
      matchLine({ amountMinor: 5000, reference: 'INV-000123', description: '' }, open),
      { customerId: 9, allocations: [{ invoiceId: 1, amountMinor: 5000 }] }
    )
    assert.deepEqual(
      matchLine({ amountMinor: 7500, reference: 'INV-000123 INV-000124', description: '' }, open)!
        .allocations.length,
      2
    )
    assert.isNull(
      matchLine({ amountMinor: 4999, reference: 'INV-000123', description: '' }, open),
      'short: to the queue'
    )
    assert.isNull(
      matchLine({ amountMinor: 5100, reference: 'INV-000123 INV-000999', description: '' }, open),
      'two customers: to the queue'
    )
    assert.isNull(matchLine({ amountMinor: -5000, reference: 'INV-000123', description: '' }, open))
  })

  test('identical lines in one file keep apart; a re-read gives the same keys', ({ assert }) => {
    const profile = {
      dateColumn: 'Date',
      amountColumn: 'Amount',
      referenceColumn: 'Ref',
      descriptionColumn: null,
      dateFormat: 'dd/MM/yyyy',
      delimiter: ';',
    }
    const text = '\uFEFFDate;Amount;Ref\n01/11/2026;10,00;A\n01/11/2026;10,00;A\n'.replace(
      /10,00/g,
      '10.00'
    )
    const a = parseStatement(text, profile)
    const b = parseStatement(text, profile)
    assert.lengthOf(a, 2)
    assert.notEqual(a[0].dedupeKey, a[1].dedupeKey)
    assert.deepEqual(
      a.map((l) => l.dedupeKey),
      b.map((l) => l.dedupeKey)
    )
    assert.equal(a[0].bookedOn, '2026-11-01')
  })
})
