import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'

test.group('access control', (group) => {
  group.each.setup(() => truncateAll())

  test('a guest is sent to the login page', async ({ client }) => {
    const response = await client.get('/customers').redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/login')
  })

  test('logging in with a wrong password fails and a right one lands on the dashboard', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('billing')
    const wrong = await client
      .post('/login')
      .form({ email: user.email, password: 'nope' })
      .header('referer', '/login')
      .withCsrfToken()
      .redirects(0)
    wrong.assertStatus(302)
    assert.equal(wrong.header('location'), '/login')
    wrong.assertFlash('error', 'Email or password is wrong')
    const right = await client
      .post('/login')
      .form({ email: user.email, password: 'secret-password' })
      .withCsrfToken()
      .redirects(0)
    right.assertStatus(302)
    right.assertHeader('location', '/')
  })

  test('every page is told by the server what its user may do (can.edit, can.administer)', async ({
    client,
    assert,
  }) => {
    const expected = {
      admin: { edit: true, administer: true },
      billing: { edit: true, administer: false },
      viewer: { edit: false, administer: false },
    } as const
    for (const role of ['admin', 'billing', 'viewer'] as const) {
      const user = await makeUser(role)
      const response = await client.get('/customers').withInertia().loginAs(user)
      response.assertStatus(200)
      assert.deepEqual(response.inertiaProps.can, expected[role], role)
    }
  })

  test('a viewer can read customers but cannot reach admin-only or editing routes', async ({
    client,
  }) => {
    const viewer = await makeUser('viewer')
    const customer = await makeCustomer()
    ;(await client.get('/customers').loginAs(viewer)).assertStatus(200)
    ;(await client.get(`/customers/${customer.id}`).loginAs(viewer)).assertStatus(200)
    ;(await client.get('/audit').loginAs(viewer)).assertStatus(403)
    ;(await client.get('/customers/new').loginAs(viewer)).assertStatus(403)
    const post = await client
      .post('/customers')
      .form({ accountNumber: 'VIEW-1', name: 'Should not exist' })
      .loginAs(viewer)
      .withCsrfToken()
    post.assertStatus(403)
  })

  test('an admin reaches the audit log', async ({ client }) => {
    const admin = await makeUser('admin')
    ;(await client.get('/audit').loginAs(admin)).assertStatus(200)
  })

  test("a portal user of customer A gets 404 for customer B's page", async ({ client }) => {
    const a = await makeCustomer({ miAddon: true })
    const b = await makeCustomer()
    const portalUser = await makeUser('portal', { customerId: a.id })
    ;(await client.get(`/customers/${b.id}`).loginAs(portalUser)).assertStatus(404)
    ;(await client.get(`/customers/${b.id}/edit`).loginAs(portalUser)).assertStatus(404)
    ;(await client.get('/customers').loginAs(portalUser)).assertStatus(404)
  })
})

test.group('staff users', (group) => {
  group.each.setup(() => truncateAll())

  test('an admin adds a billing user who can then log in; viewers cannot manage users', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const viewer = await makeUser('viewer')
    ;(await client.get('/users').loginAs(viewer)).assertStatus(403)
    const created = await client
      .post('/users')
      .form({
        email: 'New.Person@Reseller.example',
        fullName: 'New Person',
        role: 'billing',
        password: 'long-enough-1',
      })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    created.assertStatus(302)
    const login = await client
      .post('/login')
      .form({ email: 'new.person@reseller.example', password: 'long-enough-1' })
      .withCsrfToken()
      .redirects(0)
    login.assertHeader('location', '/')
    const { default: User } = await import('#models/user')
    const user = await User.findByOrFail('email', 'new.person@reseller.example')
    assert.equal(user.role, 'billing')
  })

  test('an admin cannot demote themselves', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    await client
      .put(`/users/${admin.id}`)
      .form({ role: 'viewer' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    await admin.refresh()
    assert.equal(admin.role, 'admin')
  })
})
