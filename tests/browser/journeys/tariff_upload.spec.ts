import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { addRate, makeCustomer, makeTariff, makeUser, putOnTariff } from '#tests/helpers/factories'
import { rateUsage } from '#rating/rate_usage'
import { addUsage, record } from '../../functional/rating/support.js'
import { assertAccessible, logIn, visibleText } from '../ui/helpers.js'

const DECK = [
  'prefix,destination,category,peak,offpeak,weekend,connection,minimum,increments,effective_from',
  '44,UK,national,0.30,0.30,0.30,0,0,60/60,2026-01-01',
  '447,UK mobiles,mobile,0.10,0.08,0.05,0,0,60/60,2026-01-01',
].join('\n')

test.group('browser journey: tariff upload with preview and re-rate summary', (group) => {
  group.each.setup(() => truncateAll())

  test('a clerk uploads a sell deck, reads the preview, confirms and sees what the re-rate changed in £', async ({
    visit,
    assert,
  }) => {
    const user = await makeUser('billing')
    const customer = await makeCustomer({ name: 'Rerated Ltd', accountNumber: 'RR-1' })
    const tariffId = await makeTariff('Business sell')
    await addRate(tariffId, { prefix: '44', category: 'national', micros: 600_000 })
    await putOnTariff(customer.id, tariffId)
    const usageId = await addUsage(customer.id, {
      at: '2026-02-02T10:00:00Z',
      destination: '+442071234567',
      durationS: 120,
    })
    await rateUsage({ customerId: customer.id })
    assert.equal((await record(usageId)).price_e4, 12_000) // 2 min at £0.60

    const page = await visit('/login')
    await logIn(page, user)
    await page.goto(new URL(`/tariffs/${tariffId}`, page.url()).toString())
    await page.locator('h1', { hasText: 'Business sell' }).waitFor()
    await assertAccessible(page, 'tariff page')

    await page.locator('input[type=file][name=deck]').setInputFiles({
      name: 'sell-deck.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(DECK + '\n'),
    })
    await page.locator('button[type=submit]', { hasText: 'Preview' }).click()
    await page.locator('h1', { hasText: 'Preview: sell-deck.csv' }).waitFor()
    assert.equal((await page.locator('[data-test=valid]').innerText()).trim(), '2')
    assert.equal((await page.locator('[data-test=errors]').innerText()).trim(), '0')
    // What the import would change: 447 is new, 44 (same start date) replaces the £0.60 rate.
    assert.equal((await page.locator('[data-test=added]').innerText()).trim(), '1')
    assert.equal((await page.locator('[data-test=replaced]').innerText()).trim(), '1')
    assert.equal((await page.locator('[data-test=not-in-file]').innerText()).trim(), '0')
    const rows = page.locator('table tbody tr')
    assert.equal(await rows.count(), 2)
    const first = (await rows.first().innerText()).replace(/\s+/g, ' ')
    assert.include(first, '44 UK UK calls 0.300000')
    assert.include((await rows.nth(1).innerText()).replace(/\s+/g, ' '), 'Calls to mobiles')
    assert.notInclude(await visibleText(page, 'table'), 'national')
    // Nothing is imported before the confirmation.
    assert.lengthOf(await db.from('rates').where('tariff_id', tariffId).where('prefix', '447'), 0)
    await assertAccessible(page, 'deck preview')

    await page
      .locator('button[type=submit]', { hasText: 'Import 2 rates into Business sell' })
      .click()
    await page.waitForURL((url) => url.pathname === `/tariffs/${tariffId}`)
    const summary = page.locator('[data-test=rerate-summary]')
    await summary.waitFor()
    assert.match(await visibleText(page, '.flash.success'), /2 rates imported from sell-deck\.csv/)
    const text = (await summary.innerText()).replace(/\s+/g, ' ')
    assert.include(text, 'Old total £1.20')
    assert.include(text, 'New total £0.60')
    assert.include(text, 'Difference -£0.60')
    const customerRow = (await summary.locator('tbody tr').first().innerText()).replace(/\s+/g, ' ')
    assert.include(customerRow, 'Rerated Ltd')
    assert.include(customerRow, '£1.20 £0.60 -£0.60')
    // Money at 2 dp with the currency, never the stored ten-thousandths.
    assert.notMatch(text, /\d\.\d{3,}/)
    await assertAccessible(page, 'tariff page with the re-rate summary')
    await page.screenshot({ path: 'tmp/screens/tariff-rerate.png', fullPage: true })
    assert.equal((await record(usageId)).price_e4, 6000)
  }).timeout(240_000)
})
