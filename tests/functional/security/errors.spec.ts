import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import testUtils from '@adonisjs/core/services/test_utils'
import HttpExceptionHandler from '#exceptions/handler'
import { makeUser } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'

/**
 * Issue 13, M2. The same checks run against the production build in
 * tests/production/production_checks.ts (scripts/test-mysql.sh); here the handler's production
 * behaviour is exercised directly, with a real database error.
 */
test.group('Security M2: errors reveal nothing, bad numbers are validation errors', (group) => {
  group.each.setup(() => truncateAll())

  test('out-of-range or non-numeric list parameters answer 422 (JSON) or go back (pages), never 500', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const paths = [
      '/imports?connector=1e400',
      '/imports?page=1e400',
      '/imports?connector=99999999999999999999',
      '/customers?page=1e400',
      '/audit?page=-1',
      '/imports?page=abc',
    ]
    for (const path of paths) {
      const json = await client.get(path).header('accept', 'application/json').loginAs(admin)
      assert.equal(json.status(), 422, path)
      assert.notMatch(json.text(), /sql|errno|select /i, path)
      const page = await client.get(path).loginAs(admin).redirects(0)
      assert.equal(page.status(), 302, path)
    }
    ;(await client.get('/imports?connector=3&page=2').loginAs(admin)).assertStatus(200)
  })

  test('in production a database error answers a reference only; the log has the detail under it', async ({
    assert,
  }) => {
    let dbError: any
    try {
      await db.rawQuery('select * from no_such_table_here where id = ?', ['secret-value-42'])
    } catch (error) {
      dbError = error
    }
    assert.include(String(dbError.sql ?? dbError.message), 'secret-value-42')

    const handler = new HttpExceptionHandler()
    Object.assign(handler, { debug: false, renderStatusPages: false })
    for (const accept of ['application/json', 'text/html', 'application/vnd.api+json']) {
      const ctx = await testUtils.createHttpContext()
      ctx.request.request.headers.accept = accept
      ctx.request.request.headers['x-request-id'] = `ref-${accept.length}`
      await handler.handle(dbError, ctx)
      const body = JSON.stringify(ctx.response.getBody())
      assert.equal(ctx.response.getStatus(), 500, accept)
      assert.include(body, `ref-${accept.length}`, accept)
      assert.notInclude(body, 'secret-value-42', accept)
      assert.notMatch(body, /sqlMessage|errno|no_such_table|stack/i, accept)
      assert.equal(ctx.response.getHeader('x-error-reference'), `ref-${accept.length}`)
    }
  })

  test('the production status pages get no error object', async ({ assert }) => {
    const handler = new HttpExceptionHandler()
    const rendered: any[] = []
    const ctx = await testUtils.createHttpContext()
    ;(ctx as any).inertia = {
      render: (component: string, props: unknown) => rendered.push({ component, props }),
    }
    ctx.request.request.headers['x-request-id'] = 'ref-page'
    const pages = (handler as any).statusPages
    await pages['404'](
      Object.assign(new Error('E_ROUTE_NOT_FOUND'), { status: 404, sql: 'x' }),
      ctx
    )
    await pages['500..599'](
      Object.assign(new Error('boom'), { status: 500, sql: 'select secret' }),
      ctx
    )
    assert.deepEqual(rendered, [
      { component: 'errors/not_found', props: {} },
      { component: 'errors/server_error', props: { reference: 'ref-page' } },
    ])
  })
})
