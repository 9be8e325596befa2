import { test } from '@japa/runner'
import { invoiceTotals } from '#lib/money'
import { splitTax } from '#accounting/postings'
import { ukDate } from '#accounting/formats'

test.group('accounting: posting lines', () => {
  test("a rate's VAT split over categories adds up to the invoice's VAT for that rate, to the penny", ({
    assert,
  }) => {
    // Per category: 0p + 0p + 0p + 2001p at 20% (the invoice has 2002p), 17p + 17p at 5% (the invoice has 33p).
    const groups = [
      { category: 'line_rental', rateBp: 2000, netMinor: 1 },
      { category: 'data', rateBp: 2000, netMinor: 1 },
      { category: 'sms', rateBp: 2000, netMinor: 1 },
      { category: 'licence', rateBp: 2000, netMinor: 10_007 },
      { category: 'hardware', rateBp: 500, netMinor: 333 },
      { category: 'other', rateBp: 500, netMinor: 333 },
    ]
    const lines = splitTax(groups)
    const expected = invoiceTotals(
      groups.map((g) => ({ amountMinor: g.netMinor, taxRateBp: g.rateBp }))
    )
    for (const t of expected.taxes) {
      assert.equal(
        lines.filter((l) => l.rateBp === t.rateBp).reduce((s, l) => s + l.taxMinor, 0),
        t.taxMinor
      )
    }
    assert.equal(
      lines.reduce((s, l) => s + l.netMinor + l.taxMinor, 0),
      expected.totalMinor
    )
    assert.deepEqual(
      lines.map((l) => l.taxMinor),
      [0, 0, 0, 2002, 16, 17]
    )
  })

  test('the difference goes to the largest line, never spread as fractions', ({ assert }) => {
    const lines = splitTax([
      { category: 'a', rateBp: 2000, netMinor: 3 },
      { category: 'b', rateBp: 2000, netMinor: 3 },
      { category: 'c', rateBp: 2000, netMinor: 4 },
    ])
    // 20% of 3p = 0.6p → 1p twice, of 4p = 0.8p → 1p: 3p, but 20% of 10p is 2p.
    assert.deepEqual(
      lines.map((l) => l.taxMinor),
      [1, 1, 0]
    )
  })

  test('dates are written the UK way', ({ assert }) => {
    assert.equal(ukDate('2026-11-05'), '05/11/2026')
  })
})
