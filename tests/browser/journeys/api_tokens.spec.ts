import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { assertAccessible, logIn, visibleText } from '../ui/helpers.js'

test.group('browser journey: API tokens', (group) => {
  group.each.setup(() => truncateAll())

  test('a clerk creates a token from System → API tokens, sees it once, uses it against /api/v1, revokes it and it stops working', async ({
    visit,
    assert,
  }) => {
    const user = await makeUser('billing', { fullName: 'Tess Token' })
    await makeCustomer({ name: 'Reachable Ltd', accountNumber: 'API-1' })
    const page = await visit('/login')
    await logIn(page, user)

    // Reached through the navigation, as a person finds it.
    await page.locator('nav a', { hasText: 'API tokens' }).click()
    await page.waitForURL((url) => url.pathname === '/api-tokens')
    await page.locator('h1', { hasText: 'API tokens' }).waitFor()
    assert.include(await visibleText(page, 'table'), 'No tokens yet.')
    await assertAccessible(page, 'API tokens page')

    await page.locator('#t-name').fill('PSA sync')
    await page.locator('button[type=submit]', { hasText: 'Create token' }).click()
    const secretBox = page.locator('[data-testid=new-token]')
    await secretBox.waitFor()
    const secret = (await secretBox.innerText()).trim()
    assert.match(secret, /^\S{20,}$/)
    assert.include(await visibleText(page, '[role=status]'), 'not shown again')
    const row = page.locator('table tbody tr', { hasText: 'PSA sync' })
    const rowText = await row.innerText()
    assert.include(rowText, user.email)
    assert.include(rowText, 'Read only')
    const lastUsed = row.locator('td').nth(3)
    assert.equal((await lastUsed.innerText()).trim(), 'Never')
    await assertAccessible(page, 'API tokens page with a new token')

    const api = async () =>
      fetch(new URL('/api/v1/customers', page.url()), {
        headers: { Authorization: `Bearer ${secret}`, Accept: 'application/json' },
      })
    const before = await api()
    assert.equal(before.status, 200)
    const body = (await before.json()) as { data: { accountNumber: string }[] }
    assert.deepEqual(
      body.data.map((c) => c.accountNumber),
      ['API-1']
    )

    // Shown once: a reload lists the token but no longer prints its secret.
    await page.reload()
    await row.waitFor()
    assert.equal(await page.locator('[data-testid=new-token]').count(), 0)
    assert.notInclude(await visibleText(page), secret)
    // Its use is recorded and shown with the zone named.
    assert.match(await lastUsed.innerText(), /\d{4}.*\(.+\)/)

    page.on('dialog', (dialog) => dialog.accept())
    await row.locator('button', { hasText: 'Revoke' }).click()
    await page.locator('table tbody tr', { hasText: 'No tokens yet.' }).waitFor()
    assert.lengthOf(await db.from('auth_access_tokens'), 0)
    await assertAccessible(page, 'API tokens page after revoking')

    const after = await api()
    assert.equal(after.status, 401)
  }).timeout(240_000)
})
