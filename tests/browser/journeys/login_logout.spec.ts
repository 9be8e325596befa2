import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { assertAccessible, logIn, visibleText } from '../ui/helpers.js'

test.group('browser journey: login and logout', (group) => {
  group.each.setup(() => truncateAll())

  test('a wrong password is refused in words, the right one lands on the overview, and logging out ends the session', async ({
    visit,
    assert,
  }) => {
    const user = await makeUser('billing')
    const page = await visit('/login')
    await page.locator('#email').waitFor()
    await assertAccessible(page, 'login page')

    await page.locator('#email').fill(user.email)
    await page.locator('#password').fill('not-the-password')
    await page.locator('button[type=submit]').click()
    const alert = page.locator('.flash.error[role=alert]')
    await alert.waitFor()
    assert.equal((await alert.innerText()).trim(), 'Email or password is wrong')
    assert.equal(new URL(page.url()).pathname, '/login')
    // The email stays filled in; the password does not.
    assert.equal(await page.locator('#email').inputValue(), user.email)
    await page.waitForFunction(
      () => (globalThis as any).document.querySelector('#password').value === '',
      undefined,
      { timeout: 5_000 }
    )
    await assertAccessible(page, 'login page with an error')

    await logIn(page, user)
    assert.equal(new URL(page.url()).pathname, '/')
    await page.locator('h1', { hasText: 'Overview' }).waitFor()
    assert.notInclude(await visibleText(page), 'Email or password is wrong')
    await assertAccessible(page, 'overview')

    await page.goto(new URL('/customers', page.url()).toString())
    await page.locator('h1', { hasText: 'Customers' }).waitFor()
    await page.locator('button', { hasText: 'Log out' }).click()
    await page.waitForURL((url) => url.pathname === '/login')
    await page.locator('#email').waitFor()

    // Back to the page seen before: the server asks for a login again, nothing of it shows.
    await page.goBack()
    await page.waitForURL((url) => url.pathname === '/login')
    await page.locator('#email').waitFor()
    assert.notInclude(await visibleText(page), 'Log out')
    // A protected address typed in goes to the login page too.
    await page.goto(new URL('/billing-runs', page.url()).toString())
    assert.equal(new URL(page.url()).pathname, '/login')
    await page.locator('#email').waitFor()
    // And the old session cookie no longer opens anything (the session version moved on).
    const response = await page.request.get(new URL('/customers', page.url()).toString(), {
      maxRedirects: 0,
    })
    assert.equal(response.status(), 302)
    assert.equal(new URL(response.headers()['location'], page.url()).pathname, '/login')
  }).timeout(240_000)
})
