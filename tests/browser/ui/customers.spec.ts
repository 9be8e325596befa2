import { test } from '@japa/runner'
import Customer from '#models/customer'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { assertAccessible, logIn, visibleText } from './helpers.js'

test.group('browser ui: customer create and edit', (group) => {
  group.each.setup(() => truncateAll())

  test('a clerk creates a customer, sees it in words, edits its VAT rate and finds the change in the audit log', async ({
    visit,
    assert,
  }) => {
    const user = await makeUser('billing', { fullName: 'Carla Clerk' })
    const page = await visit('/login')
    await logIn(page, user)
    await page.goto(new URL('/customers/new', page.url()).toString())
    await page.locator('#accountNumber').waitFor()
    await assertAccessible(page, 'new customer form')

    await page.locator('#accountNumber').fill('UI-100')
    await page.locator('#name').fill('Journey Ltd')
    await page.locator('#billingEmail').fill('ap@journey.example')
    await page.locator('button[type=submit]').click()
    await page.waitForURL(/\/customers\/\d+$/)
    await page.locator('h1', { hasText: 'Journey Ltd' }).waitFor()
    await assertAccessible(page, 'customer page')
    const customer = await Customer.findByOrFail('account_number', 'UI-100')

    await page.goto(new URL(`/customers/${customer.id}/edit`, page.url()).toString())
    await page.locator('#taxRate').waitFor()
    await page.locator('#taxRate').fill('5')
    await page.locator('button[type=submit]').click()
    await page.waitForURL(/\/customers\/\d+$/)
    await customer.refresh()
    assert.equal(customer.taxRateBp, 500)

    // The audit log is for administrators.
    const admin = await makeUser('admin')
    await page.locator('button', { hasText: 'Log out' }).click()
    await page.waitForURL((url) => url.pathname === '/login')
    await logIn(page, admin)
    await page.goto(new URL('/audit', page.url()).toString())
    await page.locator('table[aria-label="Audit log"]').waitFor()
    const log = await visibleText(page, 'table[aria-label="Audit log"]')
    assert.include(log, 'Customer changed')
    assert.include(log, 'Customer created')
    assert.include(log, 'Carla Clerk')
    assert.match(log, /\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} (GMT|BST)/)
    assert.notInclude(log, '{"')
    await assertAccessible(page, 'audit log')
  }).timeout(240_000)
})
