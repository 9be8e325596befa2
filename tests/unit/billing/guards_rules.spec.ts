import { test } from '@japa/runner'
import {
  beyondAverage,
  beyondBand,
  changeBp,
  diffLines,
  marginFell,
  percentLabel,
} from '#billing/flag_rules'
import { periodProblem, periodState } from '#billing/period_guard'
import { changeReason } from '#rating/rerate_history'
import { parseThresholdList } from '#billing/guard_settings'

test.group('Billing guard rules (pure)', () => {
  test('the change band is exact at its edge', ({ assert }) => {
    assert.isFalse(beyondBand(12_500, 10_000, 2500), 'exactly +25% is inside')
    assert.isTrue(beyondBand(12_501, 10_000, 2500))
    assert.isTrue(beyondBand(7_499, 10_000, 2500))
    assert.isFalse(beyondBand(7_500, 10_000, 2500))
    assert.isTrue(beyondBand(1, 0, 2500), 'from nothing to something')
    // £3,614 → £1,791 (the case in issue 12)
    assert.isTrue(beyondBand(179_100, 361_400, 2500))
    assert.equal(percentLabel(changeBp(179_100, 361_400)), '−50.4%')
    assert.equal(percentLabel(changeBp(12_345, 10_000)), '+23.4%')
  })

  test('the trailing average is compared without dividing', ({ assert }) => {
    assert.isFalse(beyondAverage(100, [90, 100, 110], 2500))
    assert.isTrue(beyondAverage(126, [100, 100, 100], 2500))
    assert.isFalse(beyondAverage(125, [100, 100, 100], 2500))
    assert.isFalse(beyondAverage(1_000_000, [], 2500), 'no history, no flag')
  })

  test('margin falls only from a positive margin, beyond the allowed drop', ({ assert }) => {
    assert.isTrue(marginFell(10_000, 7_999, 2000))
    assert.isFalse(marginFell(10_000, 8_000, 2000))
    assert.isFalse(marginFell(0, -5_000, 2000))
  })

  test('line diffs: added, removed, changed and per employee', ({ assert }) => {
    const a = [
      { key: 'k1', label: 'Calls', employee: 'Ann', amountMinor: 100, quantity: 1 },
      { key: 'k2', label: 'Data', employee: 'Bob', amountMinor: 50, quantity: 1 },
    ]
    const b = [
      { key: 'k1', label: 'Calls', employee: 'Ann', amountMinor: 130, quantity: 1 },
      { key: 'k3', label: 'Roaming', employee: 'Bob', amountMinor: 20, quantity: 1 },
    ]
    const d = diffLines(a, b)
    assert.deepEqual(
      d.added.map((l) => l.key),
      ['k3']
    )
    assert.deepEqual(
      d.removed.map((l) => l.key),
      ['k2']
    )
    assert.deepEqual(
      d.changed.map((c) => [c.key, c.deltaMinor]),
      [['k1', 30]]
    )
    assert.deepEqual(
      d.byEmployee.map((e) => [e.employee, e.deltaMinor]),
      [
        ['Ann', 30],
        ['Bob', -30],
      ]
    )
  })

  test('period states in the customer time zone', ({ assert }) => {
    const now = new Date('2026-12-01T00:30:00Z')
    assert.equal(periodState('2026-11', 'Europe/London', now).state, 'ended')
    assert.equal(periodState('2026-11', 'America/Los_Angeles', now).state, 'open')
    assert.equal(periodState('2027-01', 'Europe/London', now).state, 'future')
    assert.isNull(
      periodProblem('2026-11', [{ accountNumber: 'A', timeZone: 'America/Los_Angeles' }], {
        now,
        openPeriod: true,
      })
    )
    assert.equal(
      periodProblem('2026-11', [{ accountNumber: 'A', timeZone: 'America/Los_Angeles' }], { now })
        ?.code,
      'open_period'
    )
    assert.equal(
      periodProblem('2027-01', [{ accountNumber: 'A', timeZone: 'Europe/London' }], {
        now,
        openPeriod: true,
      })?.code,
      'future'
    )
  })

  test('why a re-rated record changed', ({ assert }) => {
    const base = {
      priceE4: 100,
      rateId: 1,
      tariffId: 1,
      band: 'peak',
      allowanceUsed: 0,
      status: 'rated',
    }
    assert.equal(changeReason(base, { ...base, priceE4: 120 }), 'price')
    assert.equal(changeReason(base, { ...base, rateId: 2 }), 'rate')
    assert.equal(changeReason(base, { ...base, tariffId: 2, rateId: 9 }), 'tariff')
    assert.equal(changeReason(base, { ...base, allowanceUsed: 60, priceE4: 0 }), 'allowance')
    assert.equal(changeReason(base, { ...base, status: 'unrated', priceE4: null }), 'unrated')
    assert.equal(changeReason({ ...base, status: 'unrated', priceE4: null }, base), 'rated')
  })

  test('threshold lists', ({ assert }) => {
    assert.deepEqual(parseThresholdList('100000, 50000;50000'), [50_000, 100_000])
    assert.throws(() => parseThresholdList('10, -5'))
  })
})
