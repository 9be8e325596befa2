import { test } from '@japa/runner'
import ExcelJS from 'exceljs'
import { addMonths, isPeriod, monthsBetween } from '#insights/periods'
import { toCsv, toXlsx, exportFormat } from '#insights/export'
import { isRoaming } from '#insights/anomalies'
import { statementHtml } from '#insights/statement'

test.group('insights: periods', () => {
  test('month arithmetic crosses years both ways', ({ assert }) => {
    assert.equal(addMonths('2026-01', -1), '2025-12')
    assert.equal(addMonths('2025-12', 1), '2026-01')
    assert.equal(addMonths('2026-03', -15), '2024-12')
    assert.deepEqual(monthsBetween('2025-11', '2026-02'), [
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ])
    assert.deepEqual(monthsBetween('2026-02', '2026-01'), [])
    assert.isTrue(isPeriod('2026-12'))
    assert.isFalse(isPeriod('2026-13'))
    assert.isFalse(isPeriod('26-01'))
  })
})

test.group('insights: exports', () => {
  const table = {
    name: 'By employee',
    columns: [
      { key: 'name', label: 'Employee' },
      { key: 'amountMinor', label: 'Amount', type: 'money' as const },
      { key: 'records', label: 'Records', type: 'int' as const },
    ],
    rows: [
      { name: 'Smith, "Jo"', amountMinor: 123456, records: 3 },
      { name: '=HYPERLINK("x")', amountMinor: -5, records: 0 },
    ],
  }

  test('CSV quotes commas and quotes, neutralises formulas and prints money exactly', ({
    assert,
  }) => {
    assert.equal(
      toCsv(table),
      'Employee,Amount,Records\r\n"Smith, ""Jo""",1234.56,3\r\n"\'=HYPERLINK(""x"")",-0.05,0\r\n'
    )
  })

  test('XLSX has one sheet per table with numbers as numbers', async ({ assert }) => {
    const buffer = await toXlsx([table, { ...table, name: 'By employee' }])
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(buffer as any)
    assert.deepEqual(
      workbook.worksheets.map((w) => w.name),
      ['By employee', 'By employee 2']
    )
    const sheet = workbook.worksheets[0]
    assert.equal(sheet.getRow(1).getCell(2).value, 'Amount')
    assert.equal(sheet.getRow(2).getCell(2).value, 1234.56)
    assert.equal(sheet.getRow(3).getCell(2).value, -0.05)
    assert.equal(sheet.getRow(2).getCell(2).numFmt, '#,##0.00')
  })

  test('only csv and xlsx are export formats', ({ assert }) => {
    assert.equal(exportFormat('csv'), 'csv')
    assert.equal(exportFormat('xlsx'), 'xlsx')
    assert.isNull(exportFormat('pdf'))
  })
})

test.group('insights: anomalies and statements', () => {
  test('roaming is any category containing "roaming"', ({ assert }) => {
    assert.isTrue(isRoaming('roaming_data'))
    assert.isTrue(isRoaming('Calls Roaming EU'))
    assert.isFalse(isRoaming('calls_uk'))
  })

  test('the statement escapes names and shows totals per category', ({ assert }) => {
    const html = statementHtml({
      customer: { name: 'Acme <Ltd>', accountNumber: 'A1', currency: 'GBP' },
      employee: { name: 'Jo & Co', employeeNumber: 'E1', department: 'Sales', email: null },
      range: { from: '2026-01', to: '2026-02' },
      detail: {
        periods: ['2026-01', '2026-02'],
        categories: ['calls'],
        trend: [
          {
            period: '2026-01',
            amountMinor: 1000,
            usageMinor: 1000,
            recurringMinor: 0,
            byCategory: { calls: 1000 },
          },
          {
            period: '2026-02',
            amountMinor: 2550,
            usageMinor: 2550,
            recurringMinor: 0,
            byCategory: { calls: 2550 },
          },
        ],
        mom: [],
        lines: [
          {
            period: '2026-01',
            category: 'calls',
            kind: 'usage',
            records: 2,
            durationS: 120,
            volumeBytes: 0,
            amountMinor: 1000,
          },
          {
            period: '2026-02',
            category: 'calls',
            kind: 'usage',
            records: 3,
            durationS: 180,
            volumeBytes: 0,
            amountMinor: 2550,
          },
        ],
        totalMinor: 3550,
        usageMinor: 3550,
        recurringMinor: 0,
      },
    })
    assert.include(html, 'Acme &lt;Ltd&gt;')
    assert.include(html, 'Jo &amp; Co')
    assert.include(html, 'Total for the period: £35.50')
    assert.notInclude(html, '<script')
  })
})
