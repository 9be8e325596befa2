import { test } from '@japa/runner'
import { lineAmountMinor } from '#lib/money'
import {
  ACCOUNT_DEPARTMENT,
  ACCOUNT_EMPLOYEE,
  UNALLOCATED_DEPARTMENT,
  departmentKey,
  draftUsageLines,
  employeeKey,
  filterLines,
  sumBy,
  total,
  type UsageCell,
} from '#insights/money_model'

const cell = (over: Partial<UsageCell>): UsageCell => ({
  period: '2026-10',
  employeeId: 7,
  departmentId: 1,
  serviceId: 3,
  identifier: '',
  category: 'calls',
  priceE4: 0,
  records: 1,
  durationS: 60,
  volumeBytes: 0,
  ...over,
})

test.group('money model (pure)', () => {
  test('a line is rounded once, after summing its cells across departments (as the invoice does)', ({
    assert,
  }) => {
    // 0.0049 + 0.0049 = 0.0098 → 0.01 as one line; rounded per department it would be 0.00 + 0.00.
    const lines = draftUsageLines([
      cell({ departmentId: 1, priceE4: 49 }),
      cell({ departmentId: 2, priceE4: 49 }),
    ])
    assert.lengthOf(lines, 1)
    assert.equal(lines[0].amountMinor, 1)
    assert.equal(
      lines[0].departmentId,
      2,
      'the largest department id, as compute.ts MAX(department_id)'
    )
    assert.equal(lines[0].records, 2)
  })

  test('usage of no service is a line per identifier; other keys split lines', ({ assert }) => {
    const lines = draftUsageLines([
      cell({ employeeId: 0, serviceId: 0, identifier: '+441', priceE4: 49 }),
      cell({ employeeId: 0, serviceId: 0, identifier: '+442', priceE4: 49 }),
      cell({ category: 'data', priceE4: 150 }),
      cell({ period: '2026-11', priceE4: 150 }),
    ])
    assert.deepEqual(
      lines.map((l) => l.amountMinor),
      [0, 0, lineAmountMinor(150), lineAmountMinor(150)]
    )
  })

  test('unallocated usage and account charges are different rows; sums are integer sums of lines', ({
    assert,
  }) => {
    const base = {
      period: '2026-10',
      departmentId: 0,
      serviceId: 0,
      category: 'x',
      records: 0,
      durationS: 0,
      volumeBytes: 0,
      billed: false,
    }
    const lines = [
      { ...base, employeeId: 0, kind: 'usage' as const, amountMinor: 101, records: 2 },
      { ...base, employeeId: 0, kind: 'recurring' as const, amountMinor: 5000 },
      {
        ...base,
        employeeId: 9,
        departmentId: 4,
        kind: 'usage' as const,
        amountMinor: 33,
        records: 1,
      },
      { ...base, employeeId: 9, departmentId: 4, kind: 'recurring' as const, amountMinor: 1050 },
    ]
    assert.deepEqual(lines.map(employeeKey), [0, ACCOUNT_EMPLOYEE, 9, 9])
    assert.deepEqual(lines.map(departmentKey), [UNALLOCATED_DEPARTMENT, ACCOUNT_DEPARTMENT, 4, 4])
    const byEmployee = sumBy(lines, employeeKey)
    assert.deepInclude(byEmployee.get(9)!, {
      amountMinor: 1083,
      usageMinor: 33,
      recurringMinor: 1050,
      records: 1,
    })
    assert.equal(total(lines).amountMinor, 6184)
    assert.equal(
      [...byEmployee.values()].reduce((s, x) => s + x.amountMinor, 0),
      total(lines).amountMinor
    )
    assert.lengthOf(filterLines(lines, { departmentId: ACCOUNT_DEPARTMENT }), 1)
    assert.lengthOf(filterLines(lines, { employeeId: 9, category: 'x' }), 2)
  })
})
