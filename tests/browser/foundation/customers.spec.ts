import { test } from '@japa/runner'
import Customer from '#models/customer'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'

test.group('browser: customers', (group) => {
  group.each.setup(() => truncateAll())

  test('log in, see a VAT error, then create a customer and find it in the list', async ({
    visit,
    assert,
  }) => {
    const user = await makeUser('billing', { email: 'billing@reseller.example' })

    const page = await visit('/login')
    await page.locator('#email').fill(user.email)
    await page.locator('#password').fill('secret-password')
    await page.locator('button[type=submit]').click()
    await page.waitForURL((url) => url.pathname === '/')

    await page.goto(page.url().replace(/\/$/, '') + '/customers/new')
    await page.locator('#accountNumber').fill('BRW-100')
    await page.locator('#name').fill('Browser Test Ltd')
    await page.locator('#billingEmail').fill('ap@browser.example')
    await page.locator('#vatNumber').fill('GB999999999')
    await page.locator('button[type=submit]').click()

    const vatError = page.locator('[data-error-for=vatNumber]')
    await vatError.waitFor()
    assert.include(await vatError.innerText(), 'Enter a valid VAT number')
    assert.isNull(await Customer.findBy('account_number', 'BRW-100'))

    await page.locator('#vatNumber').fill('GB123456782')
    await page.locator('button[type=submit]').click()
    await page.waitForURL(/\/customers\/\d+$/)
    await page.locator('h1', { hasText: 'Browser Test Ltd' }).waitFor()

    await page.locator('.sidebar a', { hasText: 'Customers' }).click()
    await page.waitForURL(/\/customers$/)
    const row = page.locator('table tbody tr', { hasText: 'BRW-100' })
    await row.waitFor()
    assert.include(await row.innerText(), 'Browser Test Ltd')
  })
})
