import { test } from '@japa/runner'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { importFile } from '#connectors/import_file'
import { AsteriskParser } from '#connectors/asterisk'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { cdr } from '#tests/helpers/peers/master_csv'

const dir = app.makePath('tmp', `browser-unknown-${process.pid}`)

test.group('browser: unknown services queue', (group) => {
  group.each.setup(async () => {
    await truncateAll()
    await mkdir(dir, { recursive: true })
  })
  group.teardown(() => rm(dir, { recursive: true, force: true }))

  test("a clerk assigns an unknown number to a customer: it leaves the queue and the customer's unbilled usage grows", async ({
    visit,
    assert,
  }) => {
    const clerk = await makeUser('billing')
    const customer = await makeCustomer({ name: 'Brighton Taxis Ltd', accountNumber: 'BRIG002' })
    await makeCustomer({ name: 'Acme Widgets Ltd', accountNumber: 'ACME001' })
    // One call of BRIG002 by account code, three of a number nobody owns yet, one of another.
    const path = join(dir, 'wholesale.csv')
    await writeFile(
      path,
      [
        cdr(1, { 0: 'BRIG002' }),
        cdr(2, { 1: '07700900999', 9: '2026-07-02 10:00:00' }),
        cdr(3, { 1: '07700900999', 9: '2026-07-03 10:00:00' }),
        cdr(4, { 1: '07700900999', 9: '2026-07-04 10:00:00' }),
        cdr(5, { 1: '07700900555', 9: '2026-07-04 11:00:00' }),
      ].join('\n') + '\n'
    )
    const summary = await importFile({
      path,
      customer: null,
      format: 'asterisk',
      parser: new AsteriskParser('Europe/London', 'Europe/London'),
    })
    assert.equal(summary.unknown, 4)

    const page = await visit('/login')
    await page.locator('#email').fill(clerk.email)
    await page.locator('#password').fill('secret-password')
    await page.locator('button[type=submit]').click()
    await page.waitForURL((url) => url.pathname === '/')
    const base = page.url().replace(/\/$/, '')

    await page.goto(`${base}/customers/${customer.id}`)
    assert.include(await page.locator('#unbilled-usage').innerText(), '1 records')

    await page.goto(`${base}/unknown-services`)
    const row = page.locator('tr[data-identifier="+447700900999"]')
    await row.waitFor()
    assert.include(await row.innerText(), 'Mobile number')
    assert.match(await row.innerText(), /\b3\b/)
    assert.include(await row.innerText(), '2026-07-02 10:00')
    // Search narrows the list to one number.
    await page.locator('#unknown-search').fill('0555')
    await page.locator('button', { hasText: 'Search' }).click()
    await page.waitForURL(/q=0555/)
    assert.equal(await page.locator('tr[data-identifier]').count(), 1)
    await page.locator('#unknown-search').fill('')
    await page.locator('button', { hasText: 'Search' }).click()
    await row.waitFor()

    await row.locator('button', { hasText: 'Assign' }).click()
    await page.locator('#assign-customer').selectOption(String(customer.id))
    await page.locator('#assign-from').fill('2026-07-01')
    await page.locator('form[aria-label="Assign +447700900999"] button[type=submit]').click()
    await page
      .locator('.flash', { hasText: 'now belongs to Brighton Taxis Ltd: 3 record(s) moved' })
      .waitFor()
    await row.waitFor({ state: 'detached' })
    assert.equal(await page.locator('tr[data-identifier]').count(), 1)

    await page.goto(`${base}/customers/${customer.id}`)
    assert.include(await page.locator('#unbilled-usage').innerText(), '4 records')
    assert.equal(
      Number(
        (await db.from('usage_records').where('customer_id', customer.id).count('* as n'))[0].n
      ),
      4
    )
  }).timeout(90_000)
})
