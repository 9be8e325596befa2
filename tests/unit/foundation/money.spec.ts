import { test } from '@japa/runner'
import {
  divRoundHalfUp,
  e4ToMinor,
  formatMoney,
  formatScaled,
  invoiceTotals,
  parseDecimal,
  taxOn,
} from '#lib/money'

test.group('money: rounding half-up', () => {
  test('rounds halves away from zero and the rest to nearest', ({ assert }) => {
    assert.equal(divRoundHalfUp(5, 10), 1)
    assert.equal(divRoundHalfUp(4, 10), 0)
    assert.equal(divRoundHalfUp(15, 10), 2)
    assert.equal(divRoundHalfUp(25, 10), 3)
    assert.equal(divRoundHalfUp(-25, 10), -3)
    assert.equal(divRoundHalfUp(-24, 10), -2)
    assert.equal(divRoundHalfUp(1, 3), 0)
    assert.equal(divRoundHalfUp(2, 3), 1)
  })

  test('stays exact past the safe integer range through BigInt', ({ assert }) => {
    assert.equal(divRoundHalfUp(90_071_992_547_409_905n, 10n), 9_007_199_254_740_991)
    assert.throws(() => divRoundHalfUp(10n ** 30n, 1n), /safe integer/)
  })

  test('4 dp to pence rounds half-up', ({ assert }) => {
    assert.equal(e4ToMinor(12_3450), 1235)
    assert.equal(e4ToMinor(12_3449), 1234)
    assert.equal(e4ToMinor(50), 1)
    assert.equal(e4ToMinor(49), 0)
  })

  test('0.1 + 0.2 style sums are exact', ({ assert }) => {
    const pence = [parseDecimal('0.1', 2), parseDecimal('0.2', 2)].reduce((a, b) => a + b, 0)
    assert.equal(formatScaled(pence, 2), '0.30')
  })
})

test.group('money: tax', () => {
  test('tax per rate is rounded once on the sum of its lines', ({ assert }) => {
    // Three lines of £0.05 at 20%: per-line rounding would give 3p, the rule gives round(0.15 × 0.2) = 3p;
    // two lines of £0.03 give round(0.06 × 0.2 = 0.012) = 1p where per-line rounding gives 2p.
    const totals = invoiceTotals([
      { amountMinor: 3, taxRateBp: 2000 },
      { amountMinor: 3, taxRateBp: 2000 },
      { amountMinor: 1000, taxRateBp: 500 },
      { amountMinor: 500, taxRateBp: 0 },
    ])
    assert.deepEqual(totals.taxes, [
      { rateBp: 2000, netMinor: 6, taxMinor: 1 },
      { rateBp: 500, netMinor: 1000, taxMinor: 50 },
      { rateBp: 0, netMinor: 500, taxMinor: 0 },
    ])
    assert.equal(totals.subtotalMinor, 1506)
    assert.equal(totals.taxMinor, 51)
    assert.equal(totals.totalMinor, 1557)
  })

  test('taxOn rounds a half penny up', ({ assert }) => {
    assert.equal(taxOn(2, 2500), 1) // 0.5p
    assert.equal(taxOn(1, 2000), 0) // 0.2p
  })
})

test.group('money: parsing and formatting', () => {
  test('parses decimals exactly at a scale', ({ assert }) => {
    assert.equal(parseDecimal('0.0125', 6), 12_500)
    assert.equal(parseDecimal('1,234.5', 2), 123_450)
    assert.equal(parseDecimal('-3', 4), -30_000)
    assert.equal(parseDecimal('.5', 2), 50)
    assert.equal(parseDecimal('2.500000', 2), 250)
  })

  test('refuses what it cannot hold exactly', ({ assert }) => {
    assert.throws(() => parseDecimal('0.001', 2), /more than 2 decimal places/)
    assert.throws(() => parseDecimal('abc', 2), /not a decimal/)
    assert.throws(() => parseDecimal('', 2), /not a decimal/)
  })

  test('formats money with grouping and sign', ({ assert }) => {
    assert.equal(formatMoney(123_456_789), '£1,234,567.89')
    assert.equal(formatMoney(-5), '-£0.05')
    assert.equal(formatMoney(100, 'EUR'), '€1.00')
  })
})
