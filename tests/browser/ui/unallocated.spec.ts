import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import Department from '#models/department'
import Employee from '#models/employee'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { insertRecords } from '#tests/functional/consolidation/_support'
import { assertAccessible, logIn } from './helpers.js'

test.group('browser ui: unallocated assign with the searchable picker', (group) => {
  group.each.setup(() => truncateAll())

  test('two people share a name; the clerk finds the right one by employee number and assigns the number', async ({
    visit,
    assert,
  }) => {
    const user = await makeUser('billing')
    const customer = await makeCustomer({ name: 'Picker Ltd' })
    const sales = await Department.create({
      customerId: customer.id,
      name: 'Sales',
      costCentre: null,
    })
    const support = await Department.create({
      customerId: customer.id,
      name: 'Support',
      costCentre: null,
    })
    await Employee.create({
      customerId: customer.id,
      departmentId: sales.id,
      name: 'Sam Smith',
      email: 'sam.smith@picker.example',
      employeeNumber: 'E100',
      active: true,
    })
    const other = await Employee.create({
      customerId: customer.id,
      departmentId: support.id,
      name: 'Sam Smith',
      email: 'sam.smith2@picker.example',
      employeeNumber: 'E200',
      active: true,
    })
    await insertRecords(customer.id, [
      {
        identifier: '+447700900001',
        occurredAt: '2026-03-03 10:00:00',
        costE4: 1000,
        priceE4: 1500,
      },
    ])
    await afterUsageChange(customer.id, ['2026-03'])

    const page = await visit('/login')
    await logIn(page, user)
    await page.goto(new URL(`/customers/${customer.id}/unallocated`, page.url()).toString())
    await page.locator('table tbody tr', { hasText: '+447700900001' }).waitFor()
    await assertAccessible(page, 'unallocated page')

    const picker = page.locator('#emp-\\+447700900001')
    await picker.fill('sam')
    const options = page.locator('[role=option]:visible')
    assert.equal(await options.count(), 2)
    // The same name is told apart by employee number, department and email.
    const texts = await options.allInnerTexts()
    assert.isTrue(texts.some((t) => t.includes('E100') && t.includes('Sales')))
    assert.isTrue(texts.some((t) => t.includes('E200') && t.includes('Support')))
    await picker.fill('sam support')
    assert.equal(await options.count(), 1)
    await picker.press('Enter')
    assert.equal(await picker.inputValue(), 'Sam Smith')
    await assertAccessible(page, 'unallocated page with the picker open')

    await page
      .locator('table tbody tr', { hasText: '+447700900001' })
      .locator('button', { hasText: 'Assign' })
      .click()
    await page.locator('.flash.success').waitFor()
    const record = await db.from('usage_records').where('identifier', '+447700900001').first()
    assert.equal(Number(record.employee_id), other.id)
    await page.locator('td', { hasText: 'Nothing unallocated.' }).waitFor()
  }).timeout(240_000)
})
