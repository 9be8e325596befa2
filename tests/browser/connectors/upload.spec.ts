import { test } from '@japa/runner'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { cdr } from '#tests/helpers/peers/master_csv'

const root = app.makePath('tmp', `browser-upload-${process.pid}`)

test.group('browser: upload a usage file', (group) => {
  group.each.setup(async () => {
    await truncateAll()
    await mkdir(root, { recursive: true })
  })
  group.teardown(() => rm(root, { recursive: true, force: true }))

  test('the Imports page uploads a Master.csv and follows the import to its end', async ({
    visit,
    assert,
  }) => {
    const user = await makeUser('billing')
    const customer = await makeCustomer({ name: 'Upload Browser Ltd' })
    const path = join(root, 'Master.csv')
    await writeFile(path, [cdr(1), cdr(2), cdr(3, { 14: 'BUSY' })].join('\n') + '\n')

    const page = await visit('/login')
    await page.locator('#email').fill(user.email)
    await page.locator('#password').fill('secret-password')
    await page.locator('button[type=submit]').click()
    await page.waitForURL((url) => url.pathname === '/')
    await page.goto(page.url().replace(/\/$/, '') + '/imports')

    // Without a file: the error shows under the file field, nothing is imported.
    await page.locator('#upload-customer').selectOption(String(customer.id))
    await page.locator('button[type=submit]', { hasText: 'Import' }).click()
    const fileError = page.locator('#upload-file + .error')
    await fileError.waitFor()
    assert.equal(await fileError.innerText(), 'Choose a file to upload')
    assert.lengthOf(await db.from('imports'), 0)

    await page.locator('#upload-file').setInputFiles(path)
    await page.locator('button[type=submit]', { hasText: 'Import' }).click()
    await page.waitForURL(/\/imports\/\d+$/)
    await page.locator('.badge', { hasText: 'completed' }).waitFor()
    const imported = page.locator('.card.stat', { hasText: 'Imported' }).locator('.value')
    assert.equal(await imported.innerText(), '2')
    const imp = await db.from('imports').first()
    assert.containsSubset(imp, {
      customer_id: customer.id,
      format: 'asterisk',
      source_name: 'Master.csv',
      status: 'completed',
      rows_read: 3,
      rows_imported: 2,
    })
  }).timeout(60_000)
})
