import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { createRun, finalizeRun } from '#billing/runs'
import { makeBillingFixture } from '../../functional/billing/fixtures.js'
import { assertAccessible, logIn, visibleText } from '../ui/helpers.js'

test.group('browser journey: credit note', (group) => {
  group.each.setup(() => truncateAll())

  test('a clerk credits part of a finalised invoice with a reason and sees it on the invoice with what is still owed', async ({
    visit,
    assert,
  }) => {
    const fixture = await makeBillingFixture({
      period: '2026-10',
      employees: 2,
      recordsPerService: 2,
    })
    const { run } = await createRun({ period: '2026-10', customerIds: [fixture.customer.id] })
    await finalizeRun(run.id)
    const invoice = await db.from('invoices').where('billing_run_id', run.id).firstOrFail()
    const user = await makeUser('billing')

    const page = await visit('/login')
    await logIn(page, user)
    // The PDF frame may still be loading (or be handed to a download in headless Chromium): the page itself is what counts.
    await page.goto(new URL(`/invoices/${invoice.id}`, page.url()).toString(), {
      waitUntil: 'domcontentloaded',
    })
    await page.locator('#cn-reason').waitFor()
    // The invoice's PDF is shown inline beside the page, under a name a screen reader reads.
    assert.equal(await page.locator('iframe[title="Invoice PDF"]').count(), 1)
    await assertAccessible(page, 'finalised invoice')

    // Without a reason nothing is issued (the field is required in the browser and on the server).
    await page.locator('#cn-amount').fill('5.00')
    await page.locator('button[type=submit]', { hasText: 'Issue credit note' }).click()
    assert.lengthOf(await db.from('credit_notes'), 0)

    await page.locator('#cn-reason').fill('Line rental charged twice in October')
    await page.locator('button[type=submit]', { hasText: 'Issue credit note' }).click()
    const row = page.locator('tr', { hasText: 'Line rental charged twice in October' })
    await row.waitFor()
    const text = await row.innerText()
    assert.match(text, /CN-\d+/)
    // £5.00 net with VAT at 20%
    assert.include(text, '£6.00')
    // Its email (issued notes are queued for the customer) reads in words, not as a status code.
    assert.match(text, /Not sent|Waiting to send|Sending|Sent →/)
    assert.notMatch(text, /\bqueued\b|\bsending\b/)
    assert.match(text, /\d{1,2} [A-Z][a-z]{2} \d{4}/)
    assert.include(await visibleText(page), 'credited £6.00')
    await assertAccessible(page, 'invoice with a credit note')
    await page.screenshot({ path: 'tmp/screens/credit-note.png', fullPage: true })

    const note = await db.from('credit_notes').firstOrFail()
    assert.equal(Number(note.invoice_id), Number(invoice.id))
    assert.equal(Number(note.total_minor), 600)
  }).timeout(240_000)
})
