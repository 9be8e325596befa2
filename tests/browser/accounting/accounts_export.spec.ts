import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { getAccountingSettings } from '#accounting/settings'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { formatMoney } from '#lib/money'
import { createRun, finalizeRun } from '#billing/runs'
import { makeBillingFixture } from '../../functional/billing/fixtures.js'

test.group('browser: accounts export', (group) => {
  group.each.setup(() => truncateAll())

  test('a billing user changes a code, sees what a date range holds and downloads the Sage file', async ({
    visit,
    assert,
  }) => {
    const f = await makeBillingFixture({ employees: 2, recordsPerService: 2 })
    const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    await finalizeRun(run.id)
    const invoice = await db.from('invoices').where('billing_run_id', run.id).firstOrFail()
    const issued = DateTime.fromJSDate(new Date(invoice.issue_date)).toISODate()!
    const user = await makeUser('billing')
    const page = await visit('/login')
    await page.locator('#email').fill(user.email)
    await page.locator('#password').fill('secret-password')
    await page.locator('button[type=submit]').click()
    await page.waitForURL((url) => url.pathname === '/')

    await page.locator('.sidebar a', { hasText: 'Account and tax codes' }).click()
    await page.waitForURL(/\/accounting\/settings$/)
    await page.locator('#account-licence').fill('40 30')
    await page.locator('button[type=submit]', { hasText: 'Save' }).click()
    await page.locator('[data-error-for="accounts.licence"]').waitFor()
    await page.locator('#account-licence').fill('4031')
    await page.locator('button[type=submit]', { hasText: 'Save' }).click()
    await page.locator('.flash.success', { hasText: 'Account and tax codes saved' }).waitFor()
    assert.equal((await getAccountingSettings()).accounts.licence, '4031')

    await page.locator('.sidebar a', { hasText: 'Accounts export' }).click()
    await page.waitForURL(/\/accounting\/exports$/)
    await page.locator('#product').selectOption('sage')
    await page.locator('input[type=radio][value=range]').check()
    await page.locator('#from').fill(issued)
    await page.locator('#to').fill(issued)
    await page.locator('button', { hasText: 'Show what it contains' }).click()
    await page.waitForURL(new RegExp(`from=${issued}`))
    const summary = page.locator('[aria-live=polite]')
    await summary.waitFor()
    assert.include(await summary.innerText(), formatMoney(Number(invoice.total_minor)))
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a', { hasText: 'Download CSV' }).click(),
    ])
    assert.equal(download.suggestedFilename(), `tollgate-sage-sales-${issued}-to-${issued}.csv`)
  })
})
