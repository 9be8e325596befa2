import { test } from '@japa/runner'
import { RateDeck } from '#rating/deck'
import { rateRecord } from '#rating/engine'
import { AllowanceLedger } from '#rating/allowances'
import { ZoneClock } from '#rating/time_band'
import { recurringForMonth, recurringMonthFor, addMonths } from '#rating/recurring'
import type { RatingInput } from '#rating/types'

const london = new ZoneClock('Europe/London')
const deck = new RateDeck([
  {
    id: 1,
    prefix: '44',
    destination: 'UK',
    category: 'national',
    peakMicros: 600_000,
    offpeakMicros: 600_000,
    weekendMicros: 600_000,
    connectionMicros: 100_000,
    minimumMicros: 0,
    initialS: 60,
    subsequentS: 60,
    effectiveFrom: '2026-01-01',
  },
  {
    id: 2,
    prefix: '447',
    destination: 'UK mobile',
    category: 'mobile',
    peakMicros: 1_200_000,
    offpeakMicros: 1_200_000,
    weekendMicros: 1_200_000,
    connectionMicros: 0,
    minimumMicros: 0,
    initialS: 1,
    subsequentS: 1,
    effectiveFrom: '2026-01-01',
  },
  {
    id: 3,
    prefix: '',
    destination: 'Data',
    category: 'data',
    peakMicros: 1_024_000,
    offpeakMicros: 1_024_000,
    weekendMicros: 1_024_000,
    connectionMicros: 0,
    minimumMicros: 0,
    initialS: 0,
    subsequentS: 1,
    effectiveFrom: '2026-01-01',
  },
])
const call = (destination: string, durationS: number): RatingInput => ({
  startMs: Date.parse('2026-01-05T10:00:00Z'),
  category: 'voice',
  destination,
  durationS,
  volumeBytes: 0,
  quantity: 1,
  costE4: null,
})

test.group('Allowances', () => {
  test('consumed in order; the straddling call pays only for the part outside, without connection charge', ({
    assert,
  }) => {
    const ledger = new AllowanceLedger([
      {
        id: 1,
        name: '2 min UK',
        categories: 'national',
        unit: 'seconds',
        quantity: 120,
        scope: 'service',
      },
    ])
    const rate = (durationS: number) =>
      rateRecord(deck, london, 0, call('442071234567', durationS), ledger.forService('s1'))
    const first = rate(60) // uses 60 of 120
    assert.deepEqual([first.priceE4, first.allowanceUsed], [0, 60])
    const straddling = rate(90) // billable 120, 60 left: 60 s charged at 0.60/min = 0.60, no 0.10 connection
    assert.deepEqual([straddling.priceE4, straddling.allowanceUsed], [6000, 60])
    const after = rate(60) // allowance gone: 0.10 + 0.60
    assert.deepEqual([after.priceE4, after.allowanceUsed], [7000, 0])
  })

  test('per-service allowances are separate; pooled ones are shared by the customer', ({
    assert,
  }) => {
    const perService = new AllowanceLedger([
      { id: 1, name: 'mins', categories: 'voice', unit: 'seconds', quantity: 60, scope: 'service' },
    ])
    assert.equal(
      rateRecord(deck, london, 0, call('447700900123', 60), perService.forService('a')).priceE4,
      0
    )
    assert.equal(
      rateRecord(deck, london, 0, call('447700900123', 60), perService.forService('b')).priceE4,
      0
    )
    assert.equal(
      rateRecord(deck, london, 0, call('447700900123', 60), perService.forService('a')).priceE4,
      12_000
    )

    const pooled = new AllowanceLedger([
      { id: 2, name: 'pool', categories: 'voice', unit: 'seconds', quantity: 60, scope: 'pooled' },
    ])
    assert.equal(
      rateRecord(deck, london, 0, call('447700900123', 60), pooled.forService('a')).priceE4,
      0
    )
    assert.equal(
      rateRecord(deck, london, 0, call('447700900123', 60), pooled.forService('b')).priceE4,
      12_000
    )
  })

  test('only the listed categories draw from an allowance', ({ assert }) => {
    const ledger = new AllowanceLedger([
      {
        id: 1,
        name: 'mobile only',
        categories: 'mobile',
        unit: 'seconds',
        quantity: 600,
        scope: 'service',
      },
    ])
    const national = rateRecord(deck, london, 0, call('442071234567', 60), ledger.forService('s'))
    assert.deepEqual([national.priceE4, national.allowanceUsed], [7000, 0])
    const mobile = rateRecord(deck, london, 0, call('447700900123', 60), ledger.forService('s'))
    assert.deepEqual([mobile.priceE4, mobile.allowanceUsed], [0, 60])
  })

  test('data allowance in kilobytes', ({ assert }) => {
    const ledger = new AllowanceLedger([
      {
        id: 1,
        name: '1 MB',
        categories: 'data',
        unit: 'kilobytes',
        quantity: 1024,
        scope: 'pooled',
      },
    ])
    const input = { ...call('', 0), category: 'data', destination: null, volumeBytes: 1536 * 1024 }
    const r = rateRecord(deck, london, 0, input, ledger.forService('x'))
    // 1536 KB used, 1024 covered: 512 KB × 1.024/1024 = 0.512
    assert.deepEqual([r.priceE4, r.allowanceUsed], [5120, 1024])
  })
})

test.group('Recurring charges', () => {
  const charge = { quantity: 2, unitPriceE4: 100_000, startsOn: '2025-06-01', endsOn: null }

  test('a full month is unit price × quantity', ({ assert }) => {
    assert.deepEqual(recurringForMonth(charge, '2026-01'), {
      month: '2026-01',
      activeDays: 31,
      daysInMonth: 31,
      amountE4: 200_000,
    })
  })

  test('part months are pro-rata by days, rounded half-up', ({ assert }) => {
    const starts = recurringForMonth({ ...charge, startsOn: '2026-01-16' }, '2026-01')
    assert.equal(starts.activeDays, 16)
    assert.equal(starts.amountE4, 103_226) // 200000 × 16 / 31 = 103225.8…
    const ends = recurringForMonth({ ...charge, endsOn: '2026-01-10' }, '2026-01')
    assert.equal(ends.activeDays, 10)
    assert.equal(ends.amountE4, 64_516) // 64516.1…
    const leap = recurringForMonth({ ...charge, startsOn: '2028-02-15' }, '2028-02')
    assert.deepEqual([leap.activeDays, leap.daysInMonth], [15, 29])
    assert.equal(recurringForMonth({ ...charge, startsOn: '2026-02-01' }, '2026-01').amountE4, 0)
    assert.equal(recurringForMonth({ ...charge, endsOn: '2025-12-31' }, '2026-01').activeDays, 0)
    // 1 unit at 0.0001 for 15 of 30 days = 0.00005 → 0.0001 (half-up)
    assert.equal(
      recurringForMonth({ quantity: 1, unitPriceE4: 1, startsOn: '2026-04-16' }, '2026-04')
        .amountE4,
      1
    )
  })

  test('advance bills the next month, arrears the same month', ({ assert }) => {
    assert.equal(recurringMonthFor('2026-01', 'advance'), '2026-02')
    assert.equal(recurringMonthFor('2026-12'), '2027-01')
    assert.equal(recurringMonthFor('2026-12', 'arrears'), '2026-12')
    assert.equal(addMonths('2026-01', -1), '2025-12')
  })
})
