import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser, makeDepartment, makeEmployee } from '#tests/helpers/factories'
import Department from '#models/department'
import Employee from '#models/employee'
import Service from '#models/service'
import Assignment from '#models/assignment'
import AuditLog from '#models/audit_log'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { syncEmployeesFromM365 } from '#consolidation/m365_employee_sync'
import { assertRollupsMatch, insertRecords, rollupByEmployee } from './_support.js'

async function unallocatedSetup() {
  const customer = await makeCustomer()
  const sales = await makeDepartment(customer, {
    name: 'Sales',
    costCentre: null,
  })
  const alice = await makeEmployee(customer, {
    departmentId: sales.id,
    name: 'Alice',
    email: 'alice@acme.example',
    employeeNumber: 'E1',
    active: true,
  })
  await insertRecords(customer.id, [
    { identifier: '+447700900001', occurredAt: '2026-03-03 10:00:00', costE4: 1000, priceE4: 1500 },
    {
      identifier: '+447700900001',
      occurredAt: '2026-04-03 10:00:00',
      period: '2026-04',
      costE4: 1000,
      priceE4: 1500,
    },
    { identifier: '+447700900002', occurredAt: '2026-03-04 10:00:00', costE4: 300, priceE4: 400 },
    { identifier: '+447700900003', occurredAt: '2026-03-05 10:00:00', costE4: 200, priceE4: 250 },
    {
      identifier: 'carol.jones@acme.example',
      occurredAt: '2026-03-06 10:00:00',
      category: 'm365_storage',
      costE4: 0,
      priceE4: 0,
    },
  ])
  await afterUsageChange(customer.id, ['2026-03', '2026-04'])
  return { customer, sales, alice }
}

test.group('consolidation: unallocated costs', (group) => {
  group.each.setup(() => truncateAll())

  test('the queue lists unknown identifiers with their cost so far; the overview totals per customer', async ({
    client,
    assert,
  }) => {
    const { customer } = await unallocatedSetup()
    const viewer = await makeUser('viewer')
    const page = await client
      .get(`/customers/${customer.id}/unallocated`)
      .withInertia()
      .loginAs(viewer)
    page.assertStatus(200)
    const props = page.inertiaProps
    assert.equal(props.identifiers.length, 4)
    assert.deepInclude(props.identifiers[0], {
      identifier: '+447700900001',
      records: 2,
      costE4: 2000,
    })
    const overview = await client.get('/unallocated').withInertia().loginAs(viewer)
    overview.assertStatus(200)
    assert.deepInclude(overview.inertiaProps.customers[0], {
      customerId: customer.id,
      records: 5,
      identifiers: 4,
      costE4: 2500,
    })
    // A viewer may not assign.
    const refused = await client
      .post(`/customers/${customer.id}/unallocated/assign`)
      .json({ identifiers: ['+447700900001'], employeeId: 1 })
      .loginAs(viewer)
      .withCsrfToken()
    refused.assertStatus(403)
  })

  test('bulk assignment re-links the unbilled records of every identifier and refreshes rollups', async ({
    client,
    assert,
  }) => {
    const { customer, sales, alice } = await unallocatedSetup()
    const user = await makeUser('billing')
    const response = await client
      .post(`/customers/${customer.id}/unallocated/assign`)
      .json({ identifiers: ['+447700900001', '+447700900002'], employeeId: alice.id })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    const records = await db.from('usage_records').where('customer_id', customer.id).orderBy('id')
    assert.deepEqual(
      records.map((r) => r.employee_id),
      [alice.id, alice.id, alice.id, null, null]
    )
    assert.deepEqual(
      records.slice(0, 3).map((r) => r.department_id),
      [sales.id, sales.id, sales.id]
    )
    const services = await Service.query().where('customer_id', customer.id).orderBy('identifier')
    assert.deepEqual(
      services.map((s) => [s.identifier, s.kind]),
      [
        ['+447700900001', 'mobile'],
        ['+447700900002', 'mobile'],
      ]
    )
    // Starts at local midnight of the first unallocated record's day.
    const first = await Assignment.query().where('service_id', services[0].id).firstOrFail()
    assert.equal(first.startsAt.toUTC().toISO(), '2026-03-03T00:00:00.000Z')
    const march = await rollupByEmployee(customer.id, '2026-03')
    assert.deepEqual(march[alice.id], { records: 2, costE4: 1300 })
    assert.deepEqual(march[0], { records: 2, costE4: 200 })
    assert.deepEqual((await rollupByEmployee(customer.id, '2026-04'))[alice.id], {
      records: 1,
      costE4: 1000,
    })
    await assertRollupsMatch(assert)
    const actions = (await AuditLog.query().where('user_id', user.id)).map((l) => l.action)
    assert.includeMembers(actions, ['service.create', 'assignment.create'])
  })

  test('creates employees from identifiers, named from the UPN, and allocates their cost', async ({
    client,
    assert,
  }) => {
    const { customer, sales } = await unallocatedSetup()
    const user = await makeUser('admin')
    const response = await client
      .post(`/customers/${customer.id}/unallocated/create-employees`)
      .json({ identifiers: ['carol.jones@acme.example', '+447700900003'], departmentId: sales.id })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    const carol = await Employee.findByOrFail('email', 'carol.jones@acme.example')
    assert.equal(carol.name, 'Carol Jones')
    assert.equal(carol.departmentId, sales.id)
    const numbered = await Employee.query()
      .where('customer_id', customer.id)
      .where('name', '+447700900003')
      .firstOrFail()
    const service = await Service.query()
      .where('identifier', 'carol.jones@acme.example')
      .firstOrFail()
    assert.equal(service.kind, 'm365_user')
    const records = await db
      .from('usage_records')
      .where('customer_id', customer.id)
      .whereIn('identifier', ['carol.jones@acme.example', '+447700900003'])
      .orderBy('id')
    assert.deepEqual(
      records.map((r) => r.employee_id),
      [numbered.id, carol.id]
    )
    const march = await rollupByEmployee(customer.id, '2026-03')
    assert.deepEqual(march[numbered.id], { records: 1, costE4: 200 })
    await assertRollupsMatch(assert)
  })

  test('auto-match rule: a UPN equal to an employee email is assigned to them', async ({
    client,
    assert,
  }) => {
    const { customer } = await unallocatedSetup()
    const carol = await makeEmployee(customer, {
      departmentId: null,
      name: 'Carol',
      email: 'Carol.Jones@ACME.example',
      employeeNumber: '2002',
      active: true,
    })
    const user = await makeUser('billing')
    const off = await client
      .post(`/customers/${customer.id}/unallocated/auto-match`)
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    off.assertStatus(302)
    assert.isNull(
      (await db.from('usage_records').where('identifier', 'carol.jones@acme.example').first())
        .employee_id
    )
    await client
      .post(`/customers/${customer.id}/unallocated/rules`)
      .json({ rule: 'upn_email', enabled: true })
      .loginAs(user)
      .withCsrfToken()
    const run = await client
      .post(`/customers/${customer.id}/unallocated/auto-match`)
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    run.assertStatus(302)
    const record = await db
      .from('usage_records')
      .where('identifier', 'carol.jones@acme.example')
      .first()
    assert.equal(record.employee_id, carol.id)
    // Numbers were not touched by the UPN rule.
    const numbers = await db
      .from('usage_records')
      .where('customer_id', customer.id)
      .whereNot('identifier', 'carol.jones@acme.example')
    assert.isTrue(numbers.every((r) => r.employee_id === null))
    await assertRollupsMatch(assert)
  })

  test('Microsoft 365 sync matches by number then email, creates the rest, and assigns their UPN', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const existing = await makeEmployee(customer, {
      departmentId: null,
      name: 'Dan',
      email: 'dan@acme.example',
      employeeNumber: null,
      active: true,
    })
    const byNumber = await makeEmployee(customer, {
      departmentId: null,
      name: 'Eve',
      email: null,
      employeeNumber: '77',
      active: true,
    })
    const result = await syncEmployeesFromM365(customer.id, [
      {
        upn: 'DAN@acme.example',
        displayName: 'Dan D',
        mail: null,
        department: 'Finance',
        employeeId: null,
      },
      {
        upn: 'eve@acme.example',
        displayName: 'Eve E',
        mail: 'eve@acme.example',
        department: 'finance',
        employeeId: '77',
      },
      {
        upn: 'fay@acme.example',
        displayName: 'Fay F',
        mail: 'fay.f@acme.example',
        department: null,
        employeeId: null,
      },
    ])
    assert.deepEqual(result, { created: 1, matched: 2 })
    const finance = await Department.query().where('customer_id', customer.id)
    assert.lengthOf(finance, 1)
    await existing.refresh()
    await byNumber.refresh()
    assert.equal(existing.departmentId, finance[0].id)
    assert.equal(byNumber.email, 'eve@acme.example')
    const fay = await Employee.findByOrFail('name', 'Fay F')
    assert.equal(fay.email, 'fay.f@acme.example')
    const services = await Service.query()
      .where('customer_id', customer.id)
      .where('kind', 'm365_user')
      .preload('assignments')
      .orderBy('identifier')
    assert.deepEqual(
      services.map((s) => [s.identifier, s.assignments[0].employeeId]),
      [
        ['dan@acme.example', existing.id],
        ['eve@acme.example', byNumber.id],
        ['fay@acme.example', fay.id],
      ]
    )
    // A second sync changes nothing.
    assert.deepEqual(
      await syncEmployeesFromM365(customer.id, [
        {
          upn: 'fay@acme.example',
          displayName: 'Fay F',
          mail: null,
          department: null,
          employeeId: null,
        },
      ]),
      { created: 0, matched: 1 }
    )
    assert.equal(
      await Assignment.query()
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      3
    )
  })

  test("with the UPN rule on, a Microsoft 365 sync also allocates that user's earlier unallocated usage", async ({
    assert,
  }) => {
    const { customer } = await unallocatedSetup()
    const { setRule } = await import('#consolidation/unallocated')
    await setRule(customer.id, 'upn_email', true)
    const result = await syncEmployeesFromM365(customer.id, [
      {
        upn: 'Carol.Jones@acme.example',
        displayName: 'Carol Jones',
        mail: 'carol.jones@acme.example',
        department: null,
        employeeId: null,
      },
    ])
    assert.deepEqual(result, { created: 1, matched: 0 })
    const carol = await Employee.findByOrFail('email', 'carol.jones@acme.example')
    const record = await db
      .from('usage_records')
      .where('identifier', 'carol.jones@acme.example')
      .first()
    assert.equal(record.employee_id, carol.id)
    const service = await Service.query()
      .where('identifier', 'carol.jones@acme.example')
      .preload('assignments')
      .firstOrFail()
    assert.lengthOf(
      service.assignments,
      1,
      'the back-dated assignment merged with the one from the sync'
    )
    assert.isNull(service.assignments[0].endsAt)
    await assertRollupsMatch(assert)
  })
})
