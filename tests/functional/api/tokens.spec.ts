import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { userWithToken } from './_support.js'

test.group('api | tokens', (group) => {
  group.each.setup(() => truncateAll())

  test('a token is shown once, stored as a hash, listed, used, and stops at once when revoked', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('billing')
    const created = await client
      .post('/api-tokens')
      .json({ name: 'PSA sync', write: true, expiresInDays: 30 })
      .withInertia()
      .loginAs(user)
      .withCsrfToken()
    created.assertStatus(200)
    const page = created.inertiaProps
    const secret: string = page.created.secret
    assert.match(secret, /^tg_/)
    // Shown once: the next page view has no secret.
    const again = await client.get('/api-tokens').withInertia().loginAs(user)
    assert.isNull(again.inertiaProps.created)
    assert.notInclude(JSON.stringify(again.inertiaProps), secret)
    const listed = again.inertiaProps.tokens
    assert.lengthOf(listed, 1)
    assert.deepEqual(listed[0].abilities, ['read', 'write'])
    assert.isNotNull(listed[0].expiresAt)
    assert.isNull(listed[0].lastUsedAt)

    // Hashed at rest: the row holds the SHA-256 of the secret part, never the secret.
    const row = await db.from('auth_access_tokens').firstOrFail()
    const secretPart = secret.split('.').pop()!
    assert.notInclude(JSON.stringify(row), secretPart)
    assert.equal(
      row.hash,
      createHash('sha256').update(Buffer.from(secretPart, 'base64url').toString()).digest('hex')
    )

    const ok = await client.get('/api/v1/customers').bearerToken(secret)
    ok.assertStatus(200)
    assert.isNotNull((await db.from('auth_access_tokens').firstOrFail()).last_used_at)

    const audit = await db.from('audit_logs').where('action', 'api_token.created').firstOrFail()
    assert.equal(audit.user_id, user.id)
    assert.notInclude(audit.changes, secretPart)

    const revoked = await client
      .delete(`/api-tokens/${row.id}`)
      .withInertia()
      .loginAs(user)
      .withCsrfToken()
    revoked.assertStatus(200)
    const refused = await client.get('/api/v1/customers').bearerToken(secret)
    refused.assertStatus(401)
    assert.match(refused.body().errors[0].message, /valid API token/)
    assert.lengthOf(await db.from('audit_logs').where('action', 'api_token.revoked'), 1)
  })

  test('an expired token, a wrong token and no token get 401 JSON', async ({ client, assert }) => {
    const user = await makeUser('admin')
    const token = await User.accessTokens.create(user, ['read'], { name: 'short', expiresIn: 1 })
    // A token that lived one second, asked for after it ended.
    await new Promise((resolve) => setTimeout(resolve, 2100))
    const expired = await client.get('/api/v1/customers').bearerToken(token.value!.release())
    expired.assertStatus(401)
    const wrong = await client.get('/api/v1/customers').bearerToken('tg_1.notavalidsecret')
    wrong.assertStatus(401)
    const none = await client.get('/api/v1/customers')
    none.assertStatus(401)
    assert.isArray(none.body().errors)
  })

  test('a read-only token cannot write; a viewer cannot get a write token; a demoted user loses writes', async ({
    client,
    assert,
  }) => {
    const { token } = await userWithToken('billing', ['read'])
    const read = await client.get('/api/v1/customers').bearerToken(token)
    read.assertStatus(200)
    const write = await client.post('/api/v1/customers').json({ name: 'X' }).bearerToken(token)
    write.assertStatus(403)
    assert.equal(
      await db
        .from('customers')
        .count('* as n')
        .first()
        .then((r) => Number(r.n)),
      0
    )

    const viewer = await makeUser('viewer')
    const asked = await client
      .post('/api-tokens')
      .json({ name: 'sneaky', write: true })
      .withInertia()
      .loginAs(viewer)
      .withCsrfToken()
    assert.equal(asked.inertiaProps.errors.write, 'Your role may only read: a token cannot write')
    assert.lengthOf(await db.from('auth_access_tokens'), 1)
    const readOnly = await client
      .post('/api-tokens')
      .json({ name: 'reports' })
      .withInertia()
      .loginAs(viewer)
      .withCsrfToken()
    assert.deepEqual(readOnly.inertiaProps.tokens[0].abilities, ['read'])

    // A write token of a billing user who becomes a viewer writes no more.
    const demoted = await userWithToken('billing', ['read', 'write'])
    demoted.user.role = 'viewer'
    await demoted.user.save()
    const afterDemotion = await client.post('/api/v1/customers').json({}).bearerToken(demoted.token)
    afterDemotion.assertStatus(403)
  })

  test('a new password, or losing the staff role, revokes the user’s tokens; a demotion does not', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const changed = await userWithToken('billing')
    const kept = await userWithToken('billing')
    ;(await client.get('/api/v1/customers').bearerToken(changed.token)).assertStatus(200)
    const saved = await client
      .put(`/users/${changed.user.id}`)
      .form({ role: 'billing', password: 'a-new-long-passphrase-7' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    saved.assertStatus(302)
    ;(await client.get('/api/v1/customers').bearerToken(changed.token)).assertStatus(401)
    assert.lengthOf(
      await db.from('auth_access_tokens').where('tokenable_id', changed.user.id),
      0,
      'revoked, not just refused'
    )
    ;(await client.get('/api/v1/customers').bearerToken(kept.token)).assertStatus(200)

    const demoted = await userWithToken('billing')
    await client
      .put(`/users/${demoted.user.id}`)
      .form({ role: 'viewer' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    ;(await client.get('/api/v1/customers').bearerToken(demoted.token)).assertStatus(200)

    const customer = await makeCustomer()
    const leaver = await userWithToken('viewer', ['read'])
    leaver.user.merge({ role: 'portal', customerId: customer.id })
    await leaver.user.save()
    ;(await client.get('/api/v1/customers').bearerToken(leaver.token)).assertStatus(401)
  })

  test('portal users have no API access and no token page', async ({ client, assert }) => {
    const customer = await makeCustomer()
    const portal = await makeUser('portal', { customerId: customer.id })
    const page = await client.get('/api-tokens').loginAs(portal)
    page.assertStatus(404)
    const asked = await client
      .post('/api-tokens')
      .json({ name: 'mine' })
      .loginAs(portal)
      .withCsrfToken()
    asked.assertStatus(404)
    // Even a token made behind the page's back gets nothing.
    const token = await User.accessTokens.create(portal, ['read'])
    const refused = await client
      .get(`/api/v1/customers/${customer.id}`)
      .bearerToken(token.value!.release())
    refused.assertStatus(403)
    assert.equal(refused.body().errors[0].message, 'Portal users have no API access')
  })

  test('a session cookie without a bearer token cannot write through /api (CSRF applies, the API ignores the session)', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const noCsrf = await client.post('/api/v1/customers').json({ name: 'Forged' }).loginAs(admin)
    assert.notEqual(noCsrf.status(), 201)
    const withCsrf = await client
      .post('/api/v1/customers')
      .json({ name: 'Forged' })
      .loginAs(admin)
      .withCsrfToken()
    withCsrf.assertStatus(401)
    // From another origin, with a cookie: refused before any route.
    const crossSite = await client
      .post('/api/v1/customers')
      .json({ name: 'Forged' })
      .header('origin', 'https://evil.example')
      .loginAs(admin)
    crossSite.assertStatus(403)
    assert.equal(
      await db
        .from('customers')
        .count('* as n')
        .first()
        .then((r) => Number(r.n)),
      0
    )
    // A bearer call from a browser page elsewhere is not refused for its Origin (its header proves the caller).
    const { token } = await userWithToken('billing')
    const bearer = await client
      .get('/api/v1/customers')
      .header('origin', 'https://tools.example')
      .bearerToken(token)
    bearer.assertStatus(200)
  })

  test('requests are limited per token', async ({ client, assert }) => {
    const { token } = await userWithToken('viewer', ['read'])
    const other = await userWithToken('viewer', ['read'])
    const before = process.env.API_REQUESTS_PER_MINUTE
    process.env.API_REQUESTS_PER_MINUTE = '3'
    try {
      for (let i = 0; i < 3; i++)
        (await client.get('/api/v1/tariffs').bearerToken(token)).assertStatus(200)
      const limited = await client.get('/api/v1/tariffs').bearerToken(token)
      limited.assertStatus(429)
      assert.isAbove(Number(limited.header('retry-after')), 0)
      // Another token has its own allowance.
      ;(await client.get('/api/v1/tariffs').bearerToken(other.token)).assertStatus(200)
    } finally {
      if (before === undefined) delete process.env.API_REQUESTS_PER_MINUTE
      else process.env.API_REQUESTS_PER_MINUTE = before
    }
  })
})
