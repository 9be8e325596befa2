import { test } from '@japa/runner'
import { maxAttempts, retryDelayMinutes } from '#lib/outbox_lease'

test.group('outbox lease | retry schedule', () => {
  test('each failure waits the next delay; after the last one the outbox gives up', ({
    assert,
  }) => {
    const schedule = [1, 5, 30]
    assert.deepEqual(
      [1, 2, 3, 4].map((attempts) => retryDelayMinutes(schedule, attempts)),
      [1, 5, 30, null]
    )
    assert.equal(maxAttempts(schedule), 4)
    assert.isNull(retryDelayMinutes(schedule, 0), 'nothing failed yet: no retry to schedule')
  })
})
