import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser, makeDepartment, makeEmployee } from '#tests/helpers/factories'
import Department from '#models/department'
import Employee from '#models/employee'
import Service from '#models/service'
import { planStaffImport } from '#consolidation/staff_import'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { assertRollupsMatch, insertRecords } from './_support.js'

const CSV = [
  'Employee Number,Full Name,Email,Department,Mobile,Extension',
  'E1,Alice Archer,alice@acme.example,Sales,07700 900001,2001',
  ',Bob Baker (new email match),BOB@acme.example,Support,,',
  'E3,Cara Cole,cara@acme.example,Sales,+44 7700 900003,',
  'E4,,dora@acme.example,,,',
  'E5,Ed Eve,not-an-email,,,',
  'E1,Alice Again,alice2@acme.example,,,',
].join('\n')

test.group('consolidation: staff list import', (group) => {
  group.each.setup(() => truncateAll())

  test('preview reports every change without applying; apply creates and updates by number or email', async ({
    client,
    assert,
  }) => {
    const customer = await makeCustomer()
    const sales = await makeDepartment(customer, {
      name: 'Sales',
      costCentre: null,
    })
    const alice = await makeEmployee(customer, {
      departmentId: sales.id,
      name: 'Alice A',
      email: 'alice@acme.example',
      employeeNumber: 'E1',
      active: true,
    })
    const bob = await makeEmployee(customer, {
      departmentId: null,
      name: 'Bob Baker',
      email: 'bob@acme.example',
      employeeNumber: 'B-9',
      active: true,
    })
    await insertRecords(customer.id, [
      { identifier: '+447700900001', occurredAt: '2026-03-03 10:00:00', costE4: 900 },
    ])
    await afterUsageChange(customer.id, ['2026-03'])
    const user = await makeUser('billing')

    const preview = await client
      .post(`/customers/${customer.id}/staff-import/preview`)
      .json({ csv: CSV })
      .withInertia()
      .loginAs(user)
      .withCsrfToken()
    preview.assertStatus(200)
    const plan = preview.inertiaProps.plan
    assert.deepEqual(plan.summary, { create: 1, update: 2, unchanged: 0, error: 3, services: 3 })
    const byLine = Object.fromEntries(plan.rows.map((r: any) => [r.line, r]))
    assert.equal(byLine[2].action, 'update')
    assert.equal(byLine[2].matchedBy, 'employee_number')
    assert.deepEqual(byLine[2].changes, { name: { from: 'Alice A', to: 'Alice Archer' } })
    assert.deepEqual(
      byLine[2].services.map((s: any) => s.identifier),
      ['+447700900001', '2001']
    )
    assert.equal(byLine[3].matchedBy, 'email')
    assert.deepEqual(byLine[3].changes.department, { from: null, to: 'Support' })
    assert.equal(byLine[4].action, 'create')
    assert.equal(byLine[5].action, 'error')
    assert.match(byLine[5].errors[0], /needs a name/)
    assert.match(byLine[6].errors[0], /not an email/)
    assert.match(byLine[7].errors.join(' '), /also on line 2/)
    assert.deepEqual(plan.newDepartments, ['Support'])
    // Nothing changed yet.
    await alice.refresh()
    assert.equal(alice.name, 'Alice A')
    assert.equal(
      await Employee.query()
        .where('customer_id', customer.id)
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      2
    )

    const apply = await client
      .post(`/customers/${customer.id}/staff-import/apply`)
      .json({ csv: preview.inertiaProps.csv, servicesFrom: '2026-03-01' })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    apply.assertStatus(302)
    await alice.refresh()
    await bob.refresh()
    assert.equal(alice.name, 'Alice Archer')
    const support = await Department.query()
      .where('customer_id', customer.id)
      .where('name', 'Support')
      .firstOrFail()
    assert.equal(bob.departmentId, support.id)
    assert.equal(bob.employeeNumber, 'B-9')
    const cara = await Employee.query()
      .where('customer_id', customer.id)
      .where('employee_number', 'E3')
      .firstOrFail()
    assert.equal(cara.name, 'Cara Cole')
    assert.equal(cara.departmentId, sales.id)
    assert.isNull(await Employee.query().where('email', 'dora@acme.example').first())
    const services = await Service.query()
      .where('customer_id', customer.id)
      .preload('assignments')
      .orderBy('identifier')
    assert.deepEqual(
      services.map((s) => [s.kind, s.identifier, s.assignments[0].employeeId]),
      [
        ['mobile', '+447700900001', alice.id],
        ['mobile', '+447700900003', cara.id],
        ['extension', '2001', alice.id],
      ]
    )
    // The number's record from March is now Alice's.
    const record = await db.from('usage_records').where('identifier', '+447700900001').first()
    assert.equal(record.employee_id, alice.id)
    await assertRollupsMatch(assert)

    // Importing the same list again changes nothing.
    const again = await planStaffImport(customer, CSV)
    assert.deepEqual(again.summary, { create: 0, update: 0, unchanged: 3, error: 3, services: 0 })
  })

  test('a file without a usable header is refused with a reason', async ({ client, assert }) => {
    const customer = await makeCustomer()
    const user = await makeUser('admin')
    const preview = await client
      .post(`/customers/${customer.id}/staff-import/preview`)
      .json({ csv: 'foo,bar\n1,2\n' })
      .withInertia()
      .loginAs(user)
      .withCsrfToken()
    preview.assertStatus(200)
    assert.isNull(preview.inertiaProps.plan)
    assert.match(preview.inertiaProps.error, /name column/)
  })
})
