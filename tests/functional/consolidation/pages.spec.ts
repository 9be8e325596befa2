import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import {
  makeCustomer,
  makeUser,
  makeDepartment,
  makeEmployee,
  makeService,
} from '#tests/helpers/factories'
import Department from '#models/department'
import Employee from '#models/employee'
import Service from '#models/service'
import AuditLog from '#models/audit_log'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { assertRollupsMatch, insertRecords, rollupByEmployee } from './_support.js'

test.group('consolidation: admin pages and forms', (group) => {
  group.each.setup(() => truncateAll())

  test('billing adds a number in any written form, assigns it, moves it mid-month and ends it', async ({
    client,
    assert,
  }) => {
    const customer = await makeCustomer()
    const user = await makeUser('billing')
    const alice = await makeEmployee(customer, {
      departmentId: null,
      name: 'Alice',
      email: null,
      employeeNumber: null,
      active: true,
    })
    const bob = await makeEmployee(customer, {
      departmentId: null,
      name: 'Bob',
      email: null,
      employeeNumber: null,
      active: true,
    })
    await insertRecords(customer.id, [
      { identifier: '+447700900123', occurredAt: '2026-03-10 09:00:00', costE4: 100 },
      { identifier: '+447700900123', occurredAt: '2026-03-20 09:00:00', costE4: 200 },
      {
        identifier: '+447700900123',
        occurredAt: '2026-04-02 09:00:00',
        period: '2026-04',
        costE4: 400,
      },
    ])
    await afterUsageChange(customer.id, ['2026-03', '2026-04'])

    const created = await client
      .post(`/customers/${customer.id}/services`)
      .json({
        kind: 'mobile',
        identifier: '07700 900123',
        employeeId: alice.id,
        from: '2026-03-01',
      })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    created.assertStatus(302)
    const service = await Service.findByOrFail('identifier', '+447700900123')
    assert.equal(created.header('location'), `/services/${service.id}`)
    let records = await db.from('usage_records').orderBy('occurred_at')
    assert.deepEqual(
      records.map((r) => r.employee_id),
      [alice.id, alice.id, alice.id]
    )

    const moved = await client
      .post(`/services/${service.id}/assign`)
      .json({ employeeId: bob.id, from: '2026-03-16' })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    moved.assertStatus(302)
    records = await db.from('usage_records').orderBy('occurred_at')
    assert.deepEqual(
      records.map((r) => r.employee_id),
      [alice.id, bob.id, bob.id]
    )
    const march = await rollupByEmployee(customer.id, '2026-03')
    assert.deepEqual(
      [march[alice.id], march[bob.id]],
      [
        { records: 1, costE4: 100 },
        { records: 1, costE4: 200 },
      ]
    )

    const ended = await client
      .post(`/services/${service.id}/end`)
      .json({ date: '2026-04-01' })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    ended.assertStatus(302)
    records = await db.from('usage_records').orderBy('occurred_at')
    assert.deepEqual(
      records.map((r) => r.employee_id),
      [alice.id, bob.id, null]
    )
    await assertRollupsMatch(assert)

    const page = await client.get(`/services/${service.id}`).withInertia().loginAs(user)
    page.assertStatus(200)
    page.assertInertiaComponent('services/show')
    assert.deepEqual(
      page.inertiaProps.history.map((h: any) => [h.employee, h.startsAt, h.endsAt]),
      [
        ['Bob', '2026-03-16 00:00', '2026-04-01 00:00'],
        ['Alice', '2026-03-01 00:00', '2026-03-16 00:00'],
      ]
    )
    const actions = (await AuditLog.query().where('user_id', user.id).orderBy('id')).map(
      (l) => l.action
    )
    assert.includeMembers(actions, ['service.create', 'assignment.create', 'assignment.end'])

    const bad = await client
      .post(`/customers/${customer.id}/services`)
      .json({ kind: 'mobile', identifier: 'not a number' })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    bad.assertStatus(302)
    assert.equal(
      await Service.query()
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      1
    )
  })

  test('moving an employee to another department moves their unbilled charges; viewers cannot change anything', async ({
    client,
    assert,
  }) => {
    const customer = await makeCustomer()
    const sales = await makeDepartment(customer, {
      name: 'Sales',
      costCentre: null,
    })
    const billing = await makeUser('billing')
    const viewer = await makeUser('viewer')
    const created = await client
      .post(`/customers/${customer.id}/employees`)
      .json({
        name: 'Alice',
        email: 'Alice@Acme.example',
        employeeNumber: 'E1',
        departmentId: sales.id,
      })
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    created.assertStatus(302)
    const alice = await Employee.findByOrFail('employee_number', 'E1')
    assert.equal(alice.email, 'alice@acme.example')
    const duplicate = await client
      .post(`/customers/${customer.id}/employees`)
      .json({ name: 'Other', employeeNumber: 'E1' })
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    duplicate.assertStatus(302)
    assert.equal(
      await Employee.query()
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      1
    )

    const service = await makeService(customer, {
      kind: 'extension',
      identifier: '2001',
      label: null,
    })
    await client
      .post(`/services/${service.id}/assign`)
      .json({ employeeId: alice.id, from: '2026-01-01' })
      .loginAs(billing)
      .withCsrfToken()
    await insertRecords(customer.id, [{ identifier: '2001', occurredAt: '2026-02-03 10:00:00' }])
    await afterUsageChange(customer.id, ['2026-02'])
    assert.equal((await db.from('usage_records').first()).department_id, sales.id)

    const support = await client
      .post(`/customers/${customer.id}/departments`)
      .json({ name: 'Support' })
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    support.assertStatus(302)
    const supportDept = await Department.findByOrFail('name', 'Support')
    await client
      .put(`/employees/${alice.id}`)
      .json({
        name: 'Alice',
        email: 'alice@acme.example',
        employeeNumber: 'E1',
        departmentId: supportDept.id,
      })
      .loginAs(billing)
      .withCsrfToken()
    assert.equal((await db.from('usage_records').first()).department_id, supportDept.id)
    await assertRollupsMatch(assert)
    const rollup = await db.from('monthly_rollups').where('employee_id', alice.id).first()
    assert.equal(rollup.department_id, supportDept.id)

    for (const [method, url] of [
      ['post', `/customers/${customer.id}/employees`],
      ['put', `/employees/${alice.id}`],
      ['post', `/services/${service.id}/assign`],
      ['post', `/customers/${customer.id}/staff-import/apply`],
    ] as const) {
      const r = await client[method](url).json({}).loginAs(viewer).withCsrfToken()
      r.assertStatus(403)
    }
  })

  test('every consolidation page renders for a viewer', async ({ client, assert }) => {
    const customer = await makeCustomer()
    const dept = await makeDepartment(customer, {
      name: 'Sales',
      costCentre: null,
    })
    const alice = await makeEmployee(customer, {
      departmentId: dept.id,
      name: 'Alice',
      email: null,
      employeeNumber: null,
      active: true,
    })
    const service = await makeService(customer, {
      kind: 'mobile',
      identifier: '+447700900123',
      label: null,
    })
    const viewer = await makeUser('viewer')
    const billing = await makeUser('billing')
    await client
      .post(`/services/${service.id}/assign`)
      .json({ employeeId: alice.id, from: '2026-01-01' })
      .loginAs(billing)
      .withCsrfToken()
    await insertRecords(customer.id, [
      { identifier: '+447700900123', occurredAt: '2026-02-03 10:00:00' },
      { identifier: '+447700900999', occurredAt: '2026-02-03 11:00:00' },
    ])
    await afterUsageChange(customer.id, ['2026-02'])
    const pages: [string, string][] = [
      [`/customers/${customer.id}/employees`, 'employees/index'],
      [`/customers/${customer.id}/departments`, 'employees/departments'],
      [`/customers/${customer.id}/services`, 'services/index'],
      [`/customers/${customer.id}/unallocated`, 'unallocated/index'],
      [`/customers/${customer.id}/allocation`, 'allocation/show'],
      [`/employees/${alice.id}`, 'employees/show'],
      [`/services/${service.id}`, 'services/show'],
      ['/unallocated', 'unallocated/overview'],
    ]
    for (const [url, component] of pages) {
      const r = await client.get(url).withInertia().loginAs(viewer)
      r.assertStatus(200)
      assert.equal(r.inertiaComponent, component, url)
    }
    const employee = await client.get(`/employees/${alice.id}`).withInertia().loginAs(viewer)
    assert.deepEqual(
      employee.inertiaProps.months.map((m: any) => [m.period, m.records]),
      [['2026-02', 1]]
    )
    assert.lengthOf(employee.inertiaProps.latest, 1)
    const health = await client
      .get(`/customers/${customer.id}/allocation`)
      .withInertia()
      .loginAs(viewer)
    assert.deepInclude(health.inertiaProps.months[0], {
      period: '2026-02',
      records: 2,
      allocatedRecords: 1,
      recordShare: 50,
    })
    const staffImport = await client.get(`/customers/${customer.id}/staff-import`).loginAs(viewer)
    staffImport.assertStatus(403)
  })
})
