import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { makeUser } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'
import { loginThrottle } from '#config/security'

const attempt = (client: any, email: string, password: string) =>
  client
    .post('/login')
    .form({ email, password })
    .header('referer', '/login')
    .withCsrfToken()
    .redirects(0)

/** Issue 13, M4: login and invitation throttling per account and per IP, in the database. */
test.group('Security M4: password guessing is throttled', (group) => {
  group.each.setup(() => truncateAll())

  test('after the allowed wrong passwords even the right one is refused, with when to retry', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('billing')
    for (let i = 0; i < loginThrottle.perAccount; i++) {
      const wrong = await attempt(client, user.email, `wrong-${i}`)
      wrong.assertFlash('error', 'Email or password is wrong')
    }
    const blocked = await attempt(client, user.email, 'secret-password')
    blocked.assertStatus(302)
    blocked.assertFlash(
      'error',
      new RegExp(`Too many failed logins\\. Try again in ${loginThrottle.lockoutMinutes} minutes`)
    )
    assert.isAbove(Number(blocked.header('retry-after')), 60)
    // The counts live in the shared database store (several web processes see them).
    const rows = await db.from('rate_limits').select('key')
    assert.isTrue(rows.some((r) => r.key.includes(`login:account:${user.email}`)))

    // Another account from the same IP still logs in; a success clears its own count.
    const other = await makeUser('viewer')
    const ok = await attempt(client, other.email, 'secret-password')
    assert.equal(ok.header('location'), '/')
  }).timeout(60_000)

  test('per IP: many accounts guessed from one address are refused too', async ({ client }) => {
    const user = await makeUser('viewer')
    for (let i = 0; i < loginThrottle.perIp; i++)
      await attempt(client, `nobody-${i}@reseller.example`, 'guess-guess-1')
    const blocked = await attempt(client, user.email, 'secret-password')
    blocked.assertFlash('error', /Too many failed logins/)
  }).timeout(120_000)

  test('invitation links: guessing tokens is throttled per IP, the page says when to retry', async ({
    client,
    assert,
  }) => {
    for (let i = 0; i < loginThrottle.perIp; i++) {
      const page = await client.get(`/portal/invite/guess-${i}`)
      page.assertStatus(200)
    }
    const blocked = await client.get('/portal/invite/guess-last').withInertia()
    assert.equal(blocked.status(), 429)
    const accept = await client
      .post('/portal/invite/guess-x')
      .form({ password: 'a-long-password-1', passwordConfirmation: 'a-long-password-1' })
      .header('referer', '/portal/invite/guess-x')
      .withCsrfToken()
      .redirects(0)
    accept.assertFlash(
      'error',
      /Too many attempts with invitation links\. Try again in \d+ minutes/
    )
  }).timeout(60_000)
})
