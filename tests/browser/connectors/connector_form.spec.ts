import { test } from '@japa/runner'
import Connector from '#models/connector'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { selfSignedCertificate } from '#tests/helpers/peers/self_signed_cert'

test.group('browser: connector form', (group) => {
  group.each.setup(() => truncateAll())

  test('an HTTPS connector takes a trusted CA certificate in a textarea; a bad one is refused under the field', async ({
    visit,
    assert,
  }) => {
    const user = await makeUser('admin')
    const customer = await makeCustomer({ name: 'CA Browser Ltd' })
    const { cert } = await selfSignedCertificate()

    const page = await visit('/login')
    await page.locator('#email').fill(user.email)
    await page.locator('#password').fill('secret-password')
    await page.locator('button[type=submit]').click()
    await page.waitForURL((url) => url.pathname === '/')
    await page.goto(page.url().replace(/\/$/, '') + '/connectors/new')

    await page.locator('input[name=name]').fill('Carrier over HTTPS')
    await page.locator('select[name=transport]').selectOption('https')
    await page.locator('#f-customer').fill('CA Browser')
    await page.locator('[role=option]', { hasText: 'CA Browser Ltd' }).click()
    const field = (label: string) =>
      page.locator('.field', { has: page.locator('label', { hasText: label }) })
    await field('Address (URL)').locator('input').fill('https://files.carrier.example/Master.csv')
    const ca = field('Trusted CA certificate').locator('textarea')
    await ca.fill('hello')
    await page.locator('button[type=submit]', { hasText: 'Save' }).click()
    const error = field('Trusted CA certificate').locator('.error')
    await error.waitFor()
    assert.include(await error.innerText(), 'not a PEM certificate')
    assert.isNull(await Connector.findBy('name', 'Carrier over HTTPS'))

    await ca.fill(cert)
    await page.locator('button[type=submit]', { hasText: 'Save' }).click()
    await page.waitForURL(/\/connectors\/\d+$/)
    const saved = await Connector.findByOrFail('name', 'Carrier over HTTPS')
    assert.equal(saved.settings?.caCertificate, cert.trim())
    assert.equal(saved.transport, 'https')
    assert.equal(saved.customerId, customer.id)
  }).timeout(60_000)
})
