import { test } from '@japa/runner'
import User from '#models/user'
import { makeUser } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'
import { weakPasswordReason } from '#lib/passwords'

/** Issue 13, L4: staff passwords have at least 12 characters and are not guessable. */
test.group('Security L4: staff passwords', (group) => {
  group.each.setup(() => truncateAll())

  test('the audit’s examples and other guessable passwords are refused with a reason on the field', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const refused = [
      'password',
      '12345678',
      'short-pass1',
      '123456789012',
      'Password123!',
      'passwordpassword',
      'aaaaaaaaaaaa',
      'Welcome12345',
    ]
    for (const password of refused) {
      const response = await client
        .post('/users')
        .form({
          email: 'new.person@reseller.example',
          fullName: 'New Person',
          role: 'billing',
          password,
        })
        .header('referer', '/users')
        .loginAs(admin)
        .withCsrfToken()
        .redirects(0)
      response.assertStatus(302)
      const errors = response.flashMessages().errorsBag ?? response.flashMessages().errors
      assert.exists(
        JSON.stringify(response.flashMessages()).match(/at least 12 characters|harder to guess/),
        password
      )
      assert.isNotNull(errors, password)
      assert.isNull(await User.findBy('email', 'new.person@reseller.example'), password)
    }
    const named = await client
      .post('/users')
      .form({
        email: 'new.person@reseller.example',
        fullName: 'New Person',
        role: 'billing',
        password: 'new.person-2026',
      })
      .header('referer', '/users')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    named.assertFlashIncludes('email address or name')

    const ok = await client
      .post('/users')
      .form({ email: 'new.person@reseller.example', role: 'billing', password: 'tidal-Cobalt-79' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    ok.assertStatus(302)
    assert.isNotNull(await User.findBy('email', 'new.person@reseller.example'))
  })

  test('changing a password applies the same rule', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const user = await makeUser('viewer')
    const weak = await client
      .put(`/users/${user.id}`)
      .form({ role: 'viewer', password: 'qwertyuiop12' })
      .header('referer', '/users')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    weak.assertFlashIncludes('password')
    assert.equal((await User.findOrFail(user.id)).sessionVersion, 0, 'nothing saved')
  })

  test('portal passwords share the common-password check', async ({ assert }) => {
    assert.isNotNull(weakPasswordReason('password1234'))
    assert.isNotNull(weakPasswordReason('iloveyou2026'))
    assert.isNull(weakPasswordReason('a-long-password-1'))
  })
})
