import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { pdfText } from '#tests/helpers/smtp_peer'
import { createRun } from '#billing/runs'
import { makeBillingFixture } from '../../functional/billing/fixtures.js'
import { assertAccessible, logIn, visibleText } from '../ui/helpers.js'

test.group('browser journey: per-customer invoice template', (group) => {
  group.each.setup(() => truncateAll())

  test('a clerk picks "Summary only" for one customer and its next invoice PDF leaves out the per-user pages another customer still gets', async ({
    visit,
    assert,
  }) => {
    const brief = await makeBillingFixture({ period: '2026-10', employees: 2 })
    const full = await makeBillingFixture({ period: '2026-10', employees: 2 })
    const user = await makeUser('billing')

    const page = await visit('/login')
    await logIn(page, user)
    const url = (path: string) => new URL(path, page.url()).toString()
    await page.goto(url(`/customers/${brief.customer.id}/edit`))
    await page.locator('#invoiceTemplate').waitFor()
    // The choice is offered in words with what each layout prints, never as a key.
    const options = await page.locator('#invoiceTemplate option').allInnerTexts()
    assert.deepEqual(options, ['Full detail', 'Summary and cost by user', 'Summary only'])
    assert.include(await visibleText(page, 'form'), 'every user’s charges service by service')
    await assertAccessible(page, 'customer edit form')

    // The fixture's VAT number fails the checksum the form enforces: the clerk corrects it too.
    await page.locator('#vatNumber').fill('GB123456782')
    await page.locator('#invoiceTemplate').selectOption({ label: 'Summary only' })
    assert.include(await visibleText(page, '#invoiceTemplate-help'), 'One page')
    await page.locator('button[type=submit]', { hasText: 'Save customer' }).click()
    await page.waitForURL(/\/customers\/\d+$/)
    const shown = await visibleText(page, '[data-invoice-layout]')
    assert.equal(shown.trim(), 'Invoice layout Summary only')
    assert.notInclude(await visibleText(page), 'summary_only')
    await assertAccessible(page, 'customer page with its invoice layout')
    assert.equal((await Customer.findOrFail(brief.customer.id)).invoiceTemplate, 'summary')
    assert.equal((await Customer.findOrFail(full.customer.id)).invoiceTemplate, 'detailed')

    const { run } = await createRun({
      period: '2026-10',
      customerIds: [brief.customer.id, full.customer.id],
    })
    const invoiceOf = (customerId: number) =>
      db.from('invoices').where({ billing_run_id: run.id, customer_id: customerId }).firstOrFail()
    const briefInvoice = await invoiceOf(brief.customer.id)
    const fullInvoice = await invoiceOf(full.customer.id)

    const pdf = async (invoiceId: number) => {
      const response = await page.request.get(url(`/invoices/${invoiceId}/pdf`))
      assert.equal(response.status(), 200)
      assert.equal(response.headers()['content-type'], 'application/pdf')
      return (await pdfText(Buffer.from(await response.body()))).replace(/\s+/g, ' ')
    }
    const briefText = await pdf(Number(briefInvoice.id))
    const fullText = await pdf(Number(fullInvoice.id))

    // Both print the summary page with the same kind of totals.
    for (const text of [briefText, fullText]) {
      assert.include(text, 'Summary of charges')
      assert.match(text, /Total £\d[\d,]*\.\d\d/)
    }
    // Full detail: cost by user and each user's charges; Summary only: neither, and it says so.
    assert.include(fullText, 'Cost by user')
    assert.include(fullText, 'Charges by user')
    assert.notInclude(fullText, 'This invoice is printed as')
    assert.notInclude(briefText, 'Cost by user')
    assert.notInclude(briefText, 'Charges by user')
    assert.include(briefText, 'This invoice is printed as “Summary only”')
    for (const employee of brief.employees) assert.notInclude(briefText, employee.name)

    // The draft invoice page still reads as the invoice it is.
    await page.goto(url(`/invoices/${briefInvoice.id}`), { waitUntil: 'domcontentloaded' })
    await page.locator('h1', { hasText: brief.customer.name }).waitFor()
    await assertAccessible(page, 'draft invoice of a Summary only customer')
    await page.screenshot({ path: 'tmp/screens/invoice-template.png', fullPage: true })
  }).timeout(240_000)
})
