import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'

test.group('shared validator rules', (group) => {
  group.each.setup(() => truncateAll())

  test('a date that is not on the calendar is a field error on the service and assignment forms, never a 500', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('billing')
    const customer = await makeCustomer()
    for (const from of ['2026-99-99', '2026-02-30', '2026-13-01']) {
      const response = await client
        .post(`/customers/${customer.id}/services`)
        .form({ kind: 'mobile', identifier: '07700 900123', from })
        .header('referer', `/customers/${customer.id}/services`)
        .loginAs(user)
        .withCsrfToken()
        .redirects(0)
      response.assertStatus(302)
      assert.include(
        String(
          (response.flashMessages().inputErrorsBag as Record<string, string[]> | undefined)?.from ??
            ''
        ),
        'real date',
        from
      )
    }
  })

  test('a month written wrongly is a field error on the billing run form', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('billing')
    const response = await client
      .post('/billing-runs')
      .form({ period: '2026-13' })
      .header('referer', '/billing-runs/new')
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    assert.include(
      String(
        (response.flashMessages().inputErrorsBag as Record<string, string[]> | undefined)?.period ??
          ''
      ),
      'YYYY-MM'
    )
  })
})
