import { test } from '@japa/runner'
import { utcSql } from '#connectors/local_time'
import { utcMs } from '#connectors/record_router'

test.group('UTC timestamp text', () => {
  test('utcSql and utcMs agree with Date for times in any order, across days and years', ({
    assert,
  }) => {
    // Out of order on purpose: call files are not always sorted, and each row may be another day.
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648)
    const samples = [0, 951782400000, 4102444799000, Date.UTC(2026, 9, 25, 1, 59, 59)]
    for (let i = 0; i < 5000; i++) samples.push(Date.UTC(2000, 0, 1) + (next() % 1e9) * 1000)
    for (const ms of samples) {
      const expected = new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
      assert.equal(utcSql(ms), expected)
      assert.equal(utcMs(expected), ms)
    }
  })
})
