import { test } from '@japa/runner'
import User from '#models/user'
import { makeUser } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'
import { SESSION_STAMP_KEY } from '#lib/session_stamp'
import { sessionTimeouts } from '#config/security'

/**
 * Logs in through the real form and returns the session's data. With the cookie store that data
 * IS the cookie, so replaying it later is exactly what a copied cookie does (the tests' memory
 * store cannot replay a session id: its sessions are dropped after each test request).
 */
async function loginSession(client: any, email: string, password = 'secret-password') {
  const login = await client.post('/login').form({ email, password }).withCsrfToken().redirects(0)
  login.assertStatus(302)
  const data = login.session()
  if (!data.auth_web) throw new Error('login did not open a session')
  return data as Record<string, unknown>
}

/** A request carrying a copy of that session. */
const withCopy = (request: any, data: Record<string, unknown>) =>
  request.withSession(data).redirects(0)

/** Issue 13, M3: sessions end on logout, password change and role change; idle and absolute timeouts. */
test.group('Security M3: sessions end when they should', (group) => {
  group.each.setup(() => truncateAll())

  test('after logout a copied session cookie no longer works', async ({ client, assert }) => {
    const user = await makeUser('billing')
    const copied = await loginSession(client, user.email)
    ;(await withCopy(client.get('/customers'), copied)).assertStatus(200)

    const logout = await client.post('/logout').loginAs(user).withCsrfToken().redirects(0)
    logout.assertStatus(302)
    const after = await withCopy(client.get('/customers'), copied)
    after.assertStatus(302)
    assert.equal(after.header('location'), '/login')
  })

  test('a new password or a new role set by an admin ends the user’s sessions', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    for (const change of [
      { role: 'billing', password: 'a-new-long-passphrase-7' },
      { role: 'viewer' },
    ]) {
      const user = await makeUser('billing')
      const copied = await loginSession(client, user.email)
      ;(await withCopy(client.get('/customers'), copied)).assertStatus(200)
      const saved = await client
        .put(`/users/${user.id}`)
        .form(change)
        .loginAs(admin)
        .withCsrfToken()
        .redirects(0)
      saved.assertStatus(302)
      assert.isAbove((await User.findOrFail(user.id)).sessionVersion, 0, JSON.stringify(change))
      const after = await withCopy(client.get('/customers'), copied)
      assert.equal(after.status(), 302, JSON.stringify(change))
      assert.equal(after.header('location'), '/login')
    }
    // The admin's own session is untouched.
    ;(await client.get('/users').loginAs(admin)).assertStatus(200)
  })

  test('a session idle too long, or older than the absolute limit, is logged out with a message', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('viewer')
    const now = Date.now()
    const idle = {
      v: 0,
      loginAt: now - 60_000,
      seenAt: now - (sessionTimeouts.idleMinutes + 1) * 60_000,
    }
    const old = {
      v: 0,
      loginAt: now - (sessionTimeouts.maxHours * 60 + 1) * 60_000,
      seenAt: now - 1000,
    }
    const fresh = { v: 0, loginAt: now - 60_000, seenAt: now - 60_000 }
    for (const [stamp, message] of [
      [idle, /without activity/],
      [old, /at most \d+ hours/],
    ] as const) {
      const response = await client
        .get('/customers')
        .loginAs(user)
        .withSession({ [SESSION_STAMP_KEY]: stamp })
        .redirects(0)
      response.assertStatus(302)
      assert.equal(response.header('location'), '/login')
      response.assertFlash('error', message)
    }
    ;(
      await client
        .get('/customers')
        .loginAs(user)
        .withSession({ [SESSION_STAMP_KEY]: fresh })
        .redirects(0)
    ).assertStatus(200)
  })
})
