import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { customerWithInvoices } from '../../functional/payments/support.js'

test.group('browser: record a payment', (group) => {
  group.each.setup(() => truncateAll())

  test('a billing user records a payment over two invoices and sees the statuses and the credit', async ({
    visit,
    assert,
  }) => {
    const { customer, invoices } = await customerWithInvoices({ name: 'Browser Pay Ltd' })
    const user = await makeUser('billing')
    const page = await visit('/login')
    await page.locator('#email').fill(user.email)
    await page.locator('#password').fill('secret-password')
    await page.locator('button[type=submit]').click()
    await page.waitForURL((url) => url.pathname === '/')

    await page.locator('.sidebar a', { hasText: 'Payments' }).first().click()
    await page.waitForURL(/\/payments$/)
    await page.locator('a', { hasText: 'Record a payment' }).click()
    await page.waitForURL(/\/payments\/new/)
    await page
      .locator('#customerId')
      .selectOption({ label: `Browser Pay Ltd (${customer.accountNumber})` })
    await page.waitForURL(new RegExp(`customer=${customer.id}`))
    await page.locator(`#alloc-${invoices[0].number}`).waitFor()

    await page.locator('#amount').fill('200.00')
    await page.locator('#reference').fill('BACS 4411')
    await page.locator('button', { hasText: 'Allocate oldest first' }).click()
    assert.equal(await page.locator(`#alloc-${invoices[0].number}`).inputValue(), '120.00')
    assert.equal(await page.locator(`#alloc-${invoices[1].number}`).inputValue(), '80.00')
    // Take 30.00 back off the second invoice: it stays on the account as credit.
    await page.locator(`#alloc-${invoices[1].number}`).fill('50.00')
    assert.include(
      await page.locator('[data-summary]').innerText(),
      'kept as account credit £30.00'
    )

    await page.locator('button[type=submit]', { hasText: 'Record payment' }).click()
    await page.waitForURL(/\/payments\/\d+$/)
    await page.locator('.flash.success', { hasText: 'Payment recorded' }).waitFor()
    assert.equal(await page.locator('[data-unallocated]').innerText(), '£30.00')

    await page.locator('a', { hasText: `${customer.accountNumber} account` }).click()
    await page.waitForURL(/\/account$/)
    const paidRow = page.locator('table tbody tr', { hasText: invoices[0].number })
    assert.equal(
      await paidRow.locator('[data-payment-status]').getAttribute('data-payment-status'),
      'paid'
    )
    const partRow = page.locator('table tbody tr', { hasText: invoices[1].number })
    assert.equal(
      await partRow.locator('[data-payment-status]').getAttribute('data-payment-status'),
      'overdue'
    )
    assert.include(await partRow.innerText(), '£190.00')

    const payment = await db.from('payments').firstOrFail()
    assert.equal(Number(payment.amount_minor), 20000)
    assert.equal(payment.reference, 'BACS 4411')
  })
})
