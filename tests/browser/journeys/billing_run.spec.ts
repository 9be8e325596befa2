import { test } from '@japa/runner'
import { SMTPServer } from 'smtp-server'
import env from '#start/env'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { makeBillingFixture } from '../../functional/billing/fixtures.js'
import { assertAccessible, logIn, visibleText } from '../ui/helpers.js'

/** A real SMTP server on the mailer's relay port (the app sends in the background after "Email invoices"). */
async function mailCatcher() {
  const recipients: string[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      stream.on('data', () => {})
      stream.on('end', () => {
        recipients.push(...session.envelope.rcptTo.map((r) => r.address))
        callback()
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(Number(env.get('SMTP_PORT') || 2525), '127.0.0.1', () => resolve())
  })
  return { recipients, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

test.group('browser journey: billing run build → review → finalize → send', (group) => {
  group.each.setup(() => truncateAll())

  test('a clerk builds a run for one customer, reviews it, finalises it and watches the email go out without reloading', async ({
    visit,
    assert,
  }) => {
    const fixture = await makeBillingFixture({
      period: '2026-10',
      employees: 2,
      recordsPerService: 2,
    })
    const user = await makeUser('billing')
    const mail = await mailCatcher()
    try {
      const page = await visit('/login')
      await logIn(page, user)
      await page.goto(new URL('/billing-runs/new', page.url()).toString())
      await page.locator('#period').waitFor()
      await assertAccessible(page, 'new billing run form')
      await page.locator('#period').fill('2026-10')
      await page.locator('#customers').selectOption(String(fixture.customer.id))
      await page.locator('button[type=submit]', { hasText: 'Build draft invoices' }).click()
      await page.waitForURL(/\/billing-runs\/\d+$/)

      // Review: the run in words, the month named, money with its currency.
      await page.locator('.card.stat .value', { hasText: 'Draft (in review)' }).waitFor()
      assert.include(await visibleText(page, 'h1'), 'October 2026')
      const row = page.locator('table tbody tr', { hasText: fixture.customer.accountNumber })
      assert.match(await row.innerText(), /£\d[\d,]*\.\d\d/)
      assert.include(await row.innerText(), 'Draft')
      // The customer cell names the customer with its account number once.
      const customerCell = await row.locator('td').first().innerText()
      assert.include(customerCell, fixture.customer.name)
      assert.lengthOf(customerCell.split(fixture.customer.accountNumber), 2)
      // At a laptop's 1280 px the five figures stay on one row, none of them wrapped.
      await page.setViewportSize({ width: 1280, height: 800 })
      const cards = await page.locator('.card.stat').evaluateAll((els) =>
        els.map((e) => {
          const value = (e as any).querySelector('.value')
          const fontSize = Number.parseFloat((globalThis as any).getComputedStyle(value).fontSize)
          return {
            top: Math.round((e as any).getBoundingClientRect().top),
            oneLine: value.getBoundingClientRect().height < 2 * fontSize,
          }
        })
      )
      assert.lengthOf(cards, 5)
      assert.lengthOf(new Set(cards.map((c) => c.top)), 1, JSON.stringify(cards))
      assert.isTrue(
        cards.every((c) => c.oneLine),
        JSON.stringify(cards)
      )
      await assertAccessible(page, 'billing run review')
      await page.screenshot({ path: 'tmp/screens/billing-run-review.png', fullPage: true })

      page.on('dialog', (dialog) => dialog.accept())
      await page.locator('#finalize').click()
      await page.locator('.card.stat .value', { hasText: 'Finalised' }).waitFor()
      assert.match(await row.innerText(), /INV-\d+/)

      // Sending happens after the response: the badge must turn to "Sent" with no navigation.
      await page.locator('button', { hasText: 'Email invoices' }).click()
      await page.locator('.flash.success', { hasText: 'queued for email' }).waitFor()
      // A mark on the window survives Inertia's partial reloads but not a page load.
      await page.evaluate(() => ((globalThis as any).notReloaded = true))
      await row.locator('[data-delivery=sent]').waitFor({ timeout: 60_000 })
      assert.include(await row.innerText(), 'Sent (1 attempt)')
      assert.isTrue(await page.evaluate(() => (globalThis as any).notReloaded === true))
      assert.deepEqual(mail.recipients, [fixture.customer.billingEmail])
      await assertAccessible(page, 'billing run sent')
      await page.screenshot({ path: 'tmp/screens/billing-run-sent.png', fullPage: true })
      const delivery = await db.from('deliveries').firstOrFail()
      assert.equal(delivery.status, 'sent')
    } finally {
      await mail.close()
    }
  }).timeout(240_000)
})
