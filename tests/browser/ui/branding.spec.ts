import { test } from '@japa/runner'
import { writeFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { setSettings } from '#billing/settings'
import { assertAccessible, logIn, visibleText } from './helpers.js'

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" onload="window.hacked=1"><script>window.hacked=2</script><rect width="120" height="40" fill="#7c3aed"/><text x="8" y="26" fill="#fff">Brightline</text></svg>`

/** One draft invoice to preview (the preview renders the newest invoice). */
async function draftInvoice() {
  const customer = await makeCustomer({ name: 'Preview Customer Ltd' })
  const now = DateTime.now().toSQL({ includeOffset: false })
  const [runId] = await db
    .table('billing_runs')
    .insert({ period: '2026-10', status: 'draft', created_at: now })
  await db.table('invoices').insert({
    billing_run_id: runId,
    customer_id: customer.id,
    period: '2026-10',
    status: 'draft',
    currency: 'GBP',
    created_at: now,
  })
}

test.group('browser ui: branding upload and preview', (group) => {
  let dir = ''
  group.each.setup(async () => {
    await truncateAll()
    dir = await mkdtemp(join(tmpdir(), 'tollgate-ui-logo-'))
    return () => rm(dir, { recursive: true, force: true })
  })

  test('a clerk uploads an SVG logo (cleaned), changes colours and footer with a live preview, and the login page shows the reseller', async ({
    visit,
    assert,
  }) => {
    await setSettings({ supplier_name: 'Brightline Telecom Ltd' })
    await draftInvoice()
    const user = await makeUser('billing')
    const file = join(dir, 'logo.svg')
    await writeFile(file, LOGO)

    const page = await visit('/login')
    // The login page already names the reseller, not the product.
    assert.include(await visibleText(page, 'h1'), 'Brightline Telecom Ltd')
    await logIn(page, user)
    await page.goto(new URL('/settings/branding', page.url()).toString())
    await page.locator('h1', { hasText: 'Branding' }).waitFor()

    await page.locator('#logo').setInputFiles(file)
    await page.locator('button', { hasText: 'Upload logo' }).click()
    await page.locator('.flash.success', { hasText: 'Logo uploaded' }).waitFor()
    assert.include(await page.locator('.flash.success').innerText(), '<script>')
    const img = page.locator('img[data-logo]')
    await img.waitFor()
    const served = await page.evaluate(
      async (src) => (await fetch(String(src))).text(),
      await img.getAttribute('src')
    )
    assert.include(served, 'Brightline')
    assert.notInclude(served, 'script')
    assert.notInclude(served, 'onload')
    assert.isUndefined(await page.evaluate(() => (globalThis as any).hacked))

    // The preview follows the colour as typed, before saving.
    const preview = page.frameLocator('iframe[data-preview]')
    await preview.locator('h1', { hasText: 'invoice' }).waitFor()
    await page.locator('input[aria-label="Brand colour as #RRGGBB"]').fill('#7c3aed')
    await page.locator('#footer').fill('Registered in England no. 0999 · Thank you')
    await preview.locator('.brand-footer', { hasText: 'Registered in England no. 0999' }).waitFor()
    assert.equal(
      await preview
        .locator('h1')
        .first()
        .evaluate((el) => (globalThis as any).getComputedStyle(el).color),
      'rgb(124, 58, 237)'
    )
    assert.match(
      String(await preview.locator('.head .logo img').getAttribute('src')),
      /^data:image\/svg\+xml;base64,/
    )
    await assertAccessible(page, 'branding page')

    await page.locator('#senderName').fill('Brightline Billing')
    await page.locator('button', { hasText: 'Save branding' }).click()
    await page.locator('.flash.success', { hasText: 'Branding saved' }).waitFor()
    const saved = Object.fromEntries(
      (await db.from('settings').where('key', 'like', 'branding.%')).map((r: any) => [
        r.key,
        r.value,
      ])
    )
    assert.equal(saved['branding.colour'], '#7c3aed')
    assert.equal(saved['branding.sender_name'], 'Brightline Billing')

    // A file that is not an image is refused under the field.
    const bad = join(dir, 'logo.png')
    await writeFile(bad, 'not really a png')
    await page.locator('#logo').setInputFiles(bad)
    await page.locator('button', { hasText: 'Upload logo' }).click()

    await page.locator('[data-error-for=logo]', { hasText: 'PNG or SVG' }).waitFor()

    await page.locator('button', { hasText: 'Log out' }).click()
    await page.waitForURL((url) => url.pathname === '/login')
    await page.locator('img.login-logo').waitFor()
    assert.equal(await page.locator('img.login-logo').getAttribute('alt'), 'Brightline Telecom Ltd')
    await assertAccessible(page, 'branded login page')
  }).timeout(240_000)
})
