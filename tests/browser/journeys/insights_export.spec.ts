import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import ExcelJS from 'exceljs'
import type { Page } from 'playwright'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { seedCustomer, seedFourMonths } from '../../functional/insights/seed.js'
import { assertAccessible, logIn, visibleText } from '../ui/helpers.js'

/** Clicks an export link and reads the file the browser saved. */
async function download(page: Page, linkText: string) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('form.toolbar a', { hasText: linkText }).first().click(),
  ])
  return { name: file.suggestedFilename(), bytes: await readFile((await file.path())!) }
}

test.group('browser journey: insights drill-down and export with a chosen range', (group) => {
  group.each.setup(() => truncateAll())

  test('a clerk chooses February to March, drills from the customer to a department and an employee, and the CSV and XLSX hold exactly those months', async ({
    visit,
    assert,
  }) => {
    const seeded = await seedCustomer({ name: 'Insightful Ltd', accountNumber: 'MI-1' })
    await seedFourMonths(seeded) // January to April 2026
    const user = await makeUser('billing')

    const page = await visit('/login')
    await logIn(page, user)
    await page.goto(new URL(`/customers/${seeded.customer.id}`, page.url()).toString())
    await page.locator('main .toolbar a', { hasText: 'Management information' }).click()
    await page.waitForURL((url) => url.pathname === `/customers/${seeded.customer.id}/insights`)
    await page.locator('input[name=from]').waitFor()
    await assertAccessible(page, 'insights dashboard')

    await page.locator('input[name=from]').fill('2026-02')
    await page.locator('input[name=to]').fill('2026-03')
    await page.locator('form.toolbar button[type=submit]', { hasText: 'Show' }).click()
    await page.waitForURL((url) => url.searchParams.get('from') === '2026-02')
    assert.equal(new URL(page.url()).searchParams.get('to'), '2026-03')
    await page.waitForLoadState('networkidle')
    const dashboard = await visibleText(page, 'main')
    assert.include(dashboard, 'Total 2026-02 – 2026-03 £350.00')
    // Categories in words, also in the chart's table.
    assert.include(dashboard, 'Mobile data £20.00')
    assert.include(dashboard, 'Share Calls £330.00')
    assert.notInclude(dashboard, 'Share calls')
    assert.notInclude(dashboard, '2026-01')
    assert.notInclude(dashboard, '2026-04')
    await assertAccessible(page, 'insights dashboard for February to March')

    // CSV of the cost per month (the table chosen by default): exactly the two months.
    const csv = await download(page, 'CSV')
    assert.match(csv.name, /\.csv$/)
    const lines = csv.bytes.toString('utf8').trim().split(/\r?\n/)
    const months = lines.slice(1).map((l) => l.split(',')[0])
    assert.deepEqual(months, ['2026-02', '2026-03'])

    const xlsx = await download(page, 'XLSX')
    assert.match(xlsx.name, /\.xlsx$/)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.bytes as any)
    const sheet = workbook.getWorksheet('Cost per month')!
    const sheetMonths: string[] = []
    sheet.eachRow((row, n) => {
      if (n > 1) sheetMonths.push(String(row.getCell(1).value))
    })
    assert.deepEqual(sheetMonths, ['2026-02', '2026-03'])

    // Drill down: the department, then one of its people, the chosen range kept all the way.
    await page
      .locator('.card', { has: page.locator('h2', { hasText: 'By department' }) })
      .first()
      .locator('a', { hasText: 'Sales' })
      .first()
      .click()
    await page.waitForURL((url) => url.pathname.endsWith('/insights/employees'))
    assert.equal(new URL(page.url()).searchParams.get('from'), '2026-02')
    await page.locator('a', { hasText: 'Alice Able' }).first().waitFor()
    const people = await visibleText(page, 'main')
    assert.include(people, 'Alice Able')
    assert.include(people, 'Carol Cole')
    assert.notInclude(people, 'Bob Baker')
    await assertAccessible(page, 'employees of Sales')

    await page.locator('main a', { hasText: 'Alice Able' }).first().click()
    await page.waitForURL((url) => /\/insights\/employees\/\d+$/.test(url.pathname))
    assert.equal(new URL(page.url()).searchParams.get('to'), '2026-03')
    await page.locator('h1', { hasText: 'Alice Able' }).waitFor()
    const alice = await visibleText(page, 'main')
    // £110 in February and £120 in March; January and April are outside the range.
    assert.include(alice, '£230.00')
    assert.include(alice, '£110.00')
    assert.notInclude(alice, '£400.00')
    await assertAccessible(page, 'employee insights')
  }).timeout(240_000)
})
