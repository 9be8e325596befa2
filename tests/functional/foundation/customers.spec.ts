import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import Customer from '#models/customer'
import AuditLog from '#models/audit_log'
import { makeCustomer, makeUser } from '#tests/helpers/factories'

const valid = {
  accountNumber: 'acme-01',
  name: 'Acme Widgets Ltd',
  billingEmail: 'accounts@acme.example',
  address: '1 Dock Road\nBristol\nBS1 1AA',
  vatNumber: 'GB 123 4567 82',
  taxRate: '20',
  currency: 'GBP',
  timeZone: 'Europe/London',
  paymentTermsDays: '30',
  billDay: '1',
  recurringBilling: 'advance',
}

test.group('customers', (group) => {
  group.each.setup(() => truncateAll())

  test('billing creates a customer; values are normalised and the change is audited', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('billing')
    const response = await client
      .post('/customers')
      .form(valid)
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    const customer = await Customer.findByOrFail('account_number', 'ACME-01')
    assert.equal(response.header('location'), `/customers/${customer.id}`)
    assert.equal(customer.vatNumber, 'GB123456782')
    assert.equal(customer.taxRateBp, 2000)
    const log = await AuditLog.findByOrFail('subject_id', customer.id)
    assert.equal(log.action, 'customer.created')
    assert.equal(log.userId, user.id)
  })

  test('a bad VAT number, time zone and duplicate account number are refused with field errors', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('admin')
    await makeCustomer({ accountNumber: 'TAKEN-1' })
    const response = await client
      .post('/customers')
      .form({
        ...valid,
        accountNumber: 'taken-1',
        vatNumber: 'GB123456789',
        timeZone: 'Mars/Olympus',
      })
      .header('referer', '/customers/new')
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    const errors = response.flashMessages()?.errorsBag ?? response.flashMessages()?.inputErrorsBag
    assert.exists(errors)
    const flat = JSON.stringify(response.flashMessages())
    assert.include(flat, 'Enter a valid VAT number')
    assert.include(flat, 'Enter a time zone')
    assert.include(flat, 'already has this account number')
    assert.lengthOf(await Customer.query().where('account_number', 'TAKEN-1'), 1)
  })

  test('editing a customer keeps its account number unique against others only', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('admin')
    const customer = await makeCustomer({ accountNumber: 'EDIT-1' })
    const response = await client
      .put(`/customers/${customer.id}`)
      .form({ ...valid, accountNumber: 'EDIT-1', name: 'Renamed Ltd', taxRate: '5' })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    await customer.refresh()
    assert.equal(customer.name, 'Renamed Ltd')
    assert.equal(customer.taxRateBp, 500)
  })

  test('the invoice layout is one of the catalogue, kept when a form leaves it out, and a new customer gets full detail', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('billing')
    await client.post('/customers').form(valid).loginAs(user).withCsrfToken().redirects(0)
    const customer = await Customer.findByOrFail('account_number', 'ACME-01')
    assert.equal(customer.invoiceTemplate, 'detailed')

    const refused = await client
      .put(`/customers/${customer.id}`)
      .form({ ...valid, invoiceTemplate: 'fancy' })
      .header('referer', `/customers/${customer.id}/edit`)
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(302)
    assert.include(JSON.stringify(refused.flashMessages()), 'Choose one of the invoice layouts')
    await customer.refresh()
    assert.equal(customer.invoiceTemplate, 'detailed')

    const chosen = { ...valid, invoiceTemplate: 'cost_by_user' }
    await client.put(`/customers/${customer.id}`).form(chosen).loginAs(user).withCsrfToken()
    await customer.refresh()
    assert.equal(customer.invoiceTemplate, 'cost_by_user')
    const log = await AuditLog.query()
      .where('subject_id', customer.id)
      .where('action', 'customer.updated')
      .orderBy('id', 'desc')
      .firstOrFail()
    assert.deepInclude(log.changes as object, { invoiceTemplate: 'cost_by_user' })

    // The REST API sends no layout unless asked to: an update without one keeps it.
    await client.put(`/customers/${customer.id}`).form(valid).loginAs(user).withCsrfToken()
    await customer.refresh()
    assert.equal(customer.invoiceTemplate, 'cost_by_user')
  })

  test('the list searches by name and account number', async ({ client, assert }) => {
    const user = await makeUser('viewer')
    await makeCustomer({ name: 'Northwind Traders', accountNumber: 'NW-1' })
    await makeCustomer({ name: 'Contoso', accountNumber: 'CT-9' })
    const response = await client.get('/customers?q=north').withInertia().loginAs(user)
    response.assertStatus(200)
    const names = response.inertiaProps.customers.map((c: any) => c.name)
    assert.deepEqual(names, ['Northwind Traders'])
  })
})
