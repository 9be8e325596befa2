import { test } from '@japa/runner'
import env from '#start/env'
import { SMTPServer } from 'smtp-server'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import Employee from '#models/employee'
import { setSettings } from '#billing/settings'
import { setMiAddon } from '#insights/mi_addon'
import { assertAccessible, visibleText } from './helpers.js'

/** A real SMTP server on the mailer's relay port that keeps each message. */
async function startSmtp() {
  const messages: string[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        messages.push(Buffer.concat(chunks).toString('utf8'))
        callback()
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(Number(env.get('SMTP_PORT') || 2525), '127.0.0.1', () => resolve())
  })
  return { messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

test.group('browser ui: portal invite → accept → dashboard → another customer is 404', (group) => {
  group.each.setup(() => truncateAll())

  test('staff invite a customer user, who sets a password, sees the reseller and their company, and cannot reach another customer', async ({
    visit,
    assert,
  }) => {
    await setSettings({ supplier_name: 'Brightline Telecom Ltd' })
    const admin = await makeUser('admin')
    const mine = await makeCustomer({ name: 'Alpha Portal Ltd' })
    const other = await makeCustomer({ name: 'Bravo Portal Ltd' })
    await setMiAddon(mine.id, true, admin.id)
    await Employee.create({
      customerId: mine.id,
      departmentId: null,
      name: 'Ann Alpha',
      email: 'ann@alpha.example',
      employeeNumber: 'A1',
      active: true,
    })
    const stranger = await Employee.create({
      customerId: other.id,
      departmentId: null,
      name: 'Bob Bravo',
      email: 'bob@bravo.example',
      employeeNumber: 'B1',
      active: true,
    })
    const smtp = await startSmtp()
    try {
      const page = await visit('/login')
      await page.locator('#email').fill(admin.email)
      await page.locator('#password').fill('secret-password')
      await page.locator('button[type=submit]').click()
      await page.waitForURL((url) => url.pathname === '/')
      await page.goto(new URL(`/customers/${mine.id}/portal`, page.url()).toString())
      await page.locator('input[aria-label=Email]').fill('dana@alpha.example')
      await page.locator('input[aria-label="Full name"]').fill('Dana Alpha')
      await page.locator('button', { hasText: 'Send invitation' }).click()
      await page.locator('.flash.success').waitFor()
      await assertAccessible(page, 'portal admin page')
      assert.lengthOf(smtp.messages, 1)
      const link = /https?:\/\/[^\s"]*\/portal\/invite\/[A-Za-z0-9_-]{20,}/.exec(
        smtp.messages[0].replace(/=\r?\n/g, '')
      )?.[0]
      assert.exists(link)

      await page.locator('button', { hasText: 'Log out' }).click()
      await page.waitForURL((url) => url.pathname === '/login')
      await page.goto(new URL(new URL(link!).pathname, page.url()).toString())
      await page.locator('#password').waitFor()
      await assertAccessible(page, 'invitation page')
      await page.locator('#password').fill('portal-password-1')
      await page.locator('#confirm').fill('portal-password-1')
      await page.locator('button[type=submit]').click()
      await page.waitForURL((url) => url.pathname === '/portal')
      await page.locator('h1').first().waitFor()
      const sidebar = await visibleText(page, '.sidebar')
      assert.include(sidebar, 'Brightline Telecom Ltd')
      assert.include(sidebar, 'Alpha Portal Ltd')
      await assertAccessible(page, 'portal dashboard')

      const response = await page.goto(
        new URL(`/portal/employees/${stranger.id}`, page.url()).toString()
      )
      assert.equal(response?.status(), 404)
      assert.notInclude(await visibleText(page), 'Bob Bravo')
    } finally {
      await smtp.close()
    }
  }).timeout(240_000)
})
