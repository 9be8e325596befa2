import { test } from '@japa/runner'
import { makeUser } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'

/** Issue 13, M1 (CORS same-origin only) and L5 (Content-Security-Policy, Referrer-Policy). */
test.group('Security M1: CORS is same-origin only', (group) => {
  group.each.setup(() => truncateAll())

  test('a foreign Origin, another port of the host or the null origin gets no CORS grant', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    for (const origin of [
      'http://evil.example',
      'http://localhost:9999',
      'http://127.0.0.1:1',
      'null',
    ]) {
      const read = await client.get('/customers').header('origin', origin).loginAs(admin)
      assert.isUndefined(read.header('access-control-allow-origin'), origin)
      assert.isUndefined(read.header('access-control-allow-credentials'), origin)
      const preflight = await client
        .options('/customers')
        .header('origin', origin)
        .header('access-control-request-method', 'POST')
        .header('access-control-request-headers', 'x-xsrf-token,content-type')
      assert.isUndefined(preflight.header('access-control-allow-origin'), origin)
    }
  })

  test('a state-changing request from a foreign Origin is refused before the route runs, even with a CSRF token', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const response = await client
      .post('/customers')
      .header('origin', 'http://localhost:9999')
      .json({ accountNumber: 'X-1', name: 'Planted' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(403)
    assert.notInclude(response.text(), 'Planted')
    const own = await client
      .post('/logout')
      .header('origin', `http://${process.env.HOST}:${process.env.PORT}`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    own.assertStatus(302)
  })
})

test.group('Security L5: Content-Security-Policy and Referrer-Policy everywhere', () => {
  test('pages, 404s and static files carry a CSP without inline script and a Referrer-Policy', async ({
    client,
    assert,
  }) => {
    for (const path of ['/login', '/no-such-page', '/health']) {
      const response = await client.get(path).redirects(0)
      const csp = response.header('content-security-policy') ?? ''
      assert.include(csp, "default-src 'self'", path)
      assert.match(csp, /script-src 'self'(;|$)/, path)
      assert.notInclude(csp.match(/script-src[^;]*/)?.[0] ?? '', 'unsafe-inline', path)
      assert.include(csp, "object-src 'none'", path)
      assert.include(csp, "frame-ancestors 'self'", path)
      assert.equal(response.header('referrer-policy'), 'same-origin', path)
    }
  })

  test('the HTML shell has no inline script for the CSP to block', async ({ client, assert }) => {
    const html = (await client.get('/login')).text()
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
    assert.isAbove(scripts.length, 0)
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, /\bsrc=/)
      assert.equal(body.trim(), '')
    }
    assert.notMatch(
      html,
      /https?:\/\/(?!localhost|127\.0\.0\.1)[^"'\s]*\.(css|js|woff2?)/,
      'nothing from a CDN'
    )
  })
})
