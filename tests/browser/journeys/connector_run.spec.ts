import { test } from '@japa/runner'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import app from '@adonisjs/core/services/app'
import { join } from 'node:path'
import Connector from '#models/connector'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { cdr } from '#tests/helpers/peers/master_csv'
import { assertAccessible, logIn, visibleText } from '../ui/helpers.js'

test.group('browser journey: connector create → test → run', (group) => {
  let root = ''
  group.each.setup(async () => {
    await truncateAll()
    // Under tmp/, one of the folder roots connectors may read in tests (CONNECTOR_FOLDER_ROOTS).
    await mkdir(app.makePath('tmp'), { recursive: true })
    root = await mkdtemp(join(app.makePath('tmp'), 'ui-drop-'))
    return () => rm(root, { recursive: true, force: true })
  })

  test('a clerk fills a labelled form, tests before saving, reads a plain error, then saves, runs and sees the import', async ({
    visit,
    assert,
  }) => {
    const user = await makeUser('billing')
    await makeCustomer({ name: 'Picker Target Ltd', accountNumber: 'PICK-1' })
    await makeCustomer({ name: 'Other Customer Ltd', accountNumber: 'OTH-2' })
    await writeFile(join(root, 'Master.csv'), [cdr(1), cdr(2)].join('\n') + '\n')

    const page = await visit('/login')
    await logIn(page, user)
    await page.goto(new URL('/connectors/new', page.url()).toString())
    await page.locator('h1', { hasText: 'New connector' }).waitFor()
    await assertAccessible(page, 'new connector form')

    // Labels and help, not key names; the default pattern is filled in.
    const form = await visibleText(page, 'form')
    assert.include(form, 'File name pattern')
    assert.include(form, 'Which files to import')
    assert.notInclude(form, 'hostFingerprint')
    assert.equal(await page.locator('#s-pattern').inputValue(), '*.csv')

    await page.locator('#f-name').fill('Picker drop folder')
    // The customer picker finds by account number.
    await page.locator('#f-customer').fill('pick-1')
    const options = page.locator('[role=option]')
    assert.equal(await options.count(), 1)
    await options.first().click()
    assert.equal(await page.locator('#f-customer').inputValue(), 'Picker Target Ltd')

    // Test before saving with a folder that does not exist: plain words, technical detail behind a toggle.
    await page.locator('#s-path').fill(join(root, 'missing'))
    await page.locator('button', { hasText: 'Test connection' }).click()
    const result = page.locator('[data-test-result]')
    await result.waitFor()
    assert.include(await result.innerText(), 'does not exist')
    assert.isFalse(await result.locator('details code').isVisible())
    await result.locator('summary').click()
    assert.include(await result.locator('details code').innerText(), 'missing')
    assert.isNull(await Connector.findBy('name', 'Picker drop folder'))
    await assertAccessible(page, 'connector form with a failed test')

    await page.locator('#s-path').fill(root)
    await page.locator('button', { hasText: 'Test connection' }).click()
    await page.locator('[data-test-result]', { hasText: 'Connection works' }).waitFor()
    assert.include(await result.innerText(), '1 file(s) waiting')
    assert.isNull(await Connector.findBy('name', 'Picker drop folder'), 'testing saves nothing')

    await page.locator('button[type=submit]', { hasText: 'Save' }).click()
    await page.waitForURL(/\/connectors\/\d+$/)
    const saved = await Connector.findByOrFail('name', 'Picker drop folder')
    assert.deepEqual(saved.settings, { path: root, pattern: '*.csv' })

    // Settings are shown as labelled fields, not JSON.
    const show = await visibleText(page)
    assert.include(show, `Folder ${root}`)
    assert.include(show, 'File name pattern *.csv')
    assert.notInclude(show, '"path"')
    await assertAccessible(page, 'connector page')

    // The import shows up and finishes with no reload: a mark on the window survives Inertia's
    // partial reloads but not a page load.
    await page.evaluate(() => ((globalThis as any).notReloaded = true))
    await page.locator('button', { hasText: 'Run now' }).click()
    await page
      .locator('table tbody tr', { hasText: 'Master.csv' })
      .locator('.badge', { hasText: 'Imported' })
      .waitFor({ timeout: 30_000 })
    const row = await page.locator('table tbody tr', { hasText: 'Master.csv' }).innerText()
    assert.match(row, /Imported\s+2\s+2\s+0\s+0/)
    await page.locator('.badge', { hasText: 'Worked' }).waitFor()
    assert.isTrue(await page.evaluate(() => (globalThis as any).notReloaded === true))
    await assertAccessible(page, 'connector page after a run')
  }).timeout(240_000)
})
