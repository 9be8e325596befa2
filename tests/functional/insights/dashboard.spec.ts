import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import ExcelJS from 'exceljs'
import { makeUser } from '#tests/helpers/factories'
import db from '@adonisjs/lucid/services/db'
import { binaryResponses, addRecords, addRollups, seedCustomer, seedFourMonths } from './seed.js'

test.group('insights dashboard', (group) => {
  binaryResponses(group)
  group.each.setup(() => truncateAll())

  test('trend, categories, departments, top spenders, month-over-month and per-employee trend come from the rollups', async ({
    client,
    assert,
  }) => {
    const s = await seedCustomer()
    await seedFourMonths(s)
    const other = await seedCustomer()
    await seedFourMonths(other)
    const user = await makeUser('viewer')
    const response = await client
      .get(`/customers/${s.customer.id}/insights?from=2026-01&to=2026-04`)
      .withInertia()
      .loginAs(user)
    response.assertStatus(200)
    const { data, range } = response.inertiaProps
    assert.deepEqual(range, { from: '2026-01', to: '2026-04' })
    assert.deepEqual(
      data.trend.map((t: any) => [t.period, t.amountMinor]),
      [
        ['2026-01', 16000],
        ['2026-02', 17000],
        ['2026-03', 18000],
        ['2026-04', 54500],
      ]
    )
    assert.equal(data.totals.amountMinor, 105500)
    assert.deepEqual(
      data.byCategory.map((c: any) => [c.category, c.amountMinor]),
      [
        ['calls', 93500],
        ['roaming_data', 8000],
        ['data', 4000],
      ]
    )
    assert.deepEqual(
      data.byDepartment.map((d: any) => [d.department, d.amountMinor]),
      [
        ['Sales', 77000],
        ['Operations', 28000],
        ['Unallocated', 500],
      ]
    )
    assert.deepEqual(
      data.topSpenders.map((e: any) => [e.name, e.amountMinor]),
      [
        ['Alice Able', 73000],
        ['Bob Baker', 28000],
        ['Carol Cole', 4000],
      ]
    )
    assert.isUndefined(data.byEmployee)
    assert.equal(data.totals.employees, 3)
    const april = data.mom.find((m: any) => m.period === '2026-04')
    assert.equal(april.changeMinor, 36500)
    assert.equal(april.changePct, 202.8)
    assert.isNull(data.mom[0].changeMinor)
    assert.deepEqual(data.employeeTrend[0], {
      employeeId: s.alice.id,
      name: 'Alice Able',
      months: [10000, 11000, 12000, 40000],
    })
  })

  test('a rollup refresh shows on the next request (the dashboard cache revalidates)', async ({
    client,
    assert,
  }) => {
    const s = await seedCustomer()
    await seedFourMonths(s)
    const user = await makeUser('viewer')
    const url = `/customers/${s.customer.id}/insights?from=2026-01&to=2026-04`
    const first = await client.get(url).withInertia().loginAs(user)
    assert.equal(first.inertiaProps.data.totals.amountMinor, 105500)
    await db
      .from('monthly_rollups')
      .where('customer_id', s.customer.id)
      .where('period', '2026-04')
      .delete()
    await addRollups(s.customer, [
      { period: '2026-04', employee: s.carol, category: 'data', pounds: 1 },
    ])
    const second = await client.get(url).withInertia().loginAs(user)
    assert.equal(second.inertiaProps.data.totals.amountMinor, 16000 + 17000 + 18000 + 100)
    assert.deepEqual(
      second.inertiaProps.data.topSpenders.map((e: any) => e.name),
      ['Alice Able', 'Bob Baker', 'Carol Cole']
    )
  })

  test('the default range is the 12 months up to the newest rollup', async ({ client, assert }) => {
    const s = await seedCustomer()
    await seedFourMonths(s)
    const response = await client
      .get(`/customers/${s.customer.id}/insights`)
      .withInertia()
      .loginAs(await makeUser('admin'))
    assert.deepEqual(response.inertiaProps.range, { from: '2025-05', to: '2026-04' })
    assert.lengthOf(response.inertiaProps.data.trend, 12)
  })

  test('drill-down: a category or a department lists its employees; an employee shows months and the records behind them', async ({
    client,
    assert,
  }) => {
    const s = await seedCustomer()
    await seedFourMonths(s)
    await addRecords(s.customer, [
      ...Array.from({ length: 60 }, () => ({
        period: '2026-04',
        employee: s.bob,
        category: 'calls',
        pounds: 0.5,
      })),
      {
        period: '2026-04',
        employee: s.bob,
        category: 'roaming_data',
        pounds: 80,
        destinationName: 'France',
      },
      { period: '2026-04', employee: s.alice, category: 'calls', pounds: 1 },
      { period: '2026-03', employee: s.bob, category: 'calls', pounds: 1 },
    ])
    const user = await makeUser('billing')
    const base = `/customers/${s.customer.id}/insights`
    const byCategory = await client
      .get(`${base}/employees?from=2026-01&to=2026-04&category=roaming_data`)
      .withInertia()
      .loginAs(user)
    assert.deepEqual(
      byCategory.inertiaProps.rows.map((r: any) => [r.name, r.amountMinor]),
      [['Bob Baker', 8000]]
    )
    const byDept = await client
      .get(`${base}/employees?from=2026-01&to=2026-04&departmentId=${s.sales.id}`)
      .withInertia()
      .loginAs(user)
    assert.deepEqual(
      byDept.inertiaProps.rows.map((r: any) => r.name),
      ['Alice Able', 'Carol Cole']
    )
    assert.equal(byDept.inertiaProps.filter.department, 'Sales')
    const byMonth = await client
      .get(`${base}/employees?from=2026-01&to=2026-04&period=2026-01`)
      .withInertia()
      .loginAs(user)
    assert.equal(byMonth.inertiaProps.totalMinor, 16000)

    const employee = await client
      .get(
        `${base}/employees/${s.bob.id}?from=2026-01&to=2026-04&period=2026-04&category=calls&page=2`
      )
      .withInertia()
      .loginAs(user)
    employee.assertStatus(200)
    const props = employee.inertiaProps
    assert.equal(props.employee.name, 'Bob Baker')
    assert.equal(props.employee.department, 'Operations')
    assert.deepEqual(
      props.detail.trend.map((t: any) => t.amountMinor),
      [5000, 5000, 5000, 13000]
    )
    assert.equal(props.records.meta.total, 60)
    assert.equal(props.records.meta.currentPage, 2)
    assert.lengthOf(props.records.data, 10)
    assert.equal(props.records.data[0].amountMinor, 50)
    assert.equal(
      props.statementUrl,
      `/customers/${s.customer.id}/employees/${s.bob.id}/statement.pdf`
    )

    // Another customer's employee is not found under this customer.
    const other = await seedCustomer()
    const cross = await client
      .get(`${base}/employees/${other.alice.id}`)
      .withInertia()
      .loginAs(user)
    cross.assertStatus(404)
  })

  test('every view exports as CSV and XLSX with the same figures', async ({ client, assert }) => {
    const s = await seedCustomer()
    await seedFourMonths(s)
    const user = await makeUser('viewer')
    const base = `/customers/${s.customer.id}/insights`
    const csv = await client
      .get(`${base}?from=2026-01&to=2026-04&format=csv&table=employees`)
      .loginAs(user)
    csv.assertStatus(200)
    assert.include(csv.header('content-type'), 'text/csv')
    const lines = csv.text().trim().split('\r\n')
    // No internal ids in exports (issue 15).
    assert.equal(lines[0], 'Employee,Department,Amount,Usage,Recurring charges,Records,Share %')
    assert.equal(lines[1], `Alice Able,Sales,730.00,730.00,0.00,40,69.2`)

    const trendCsv = await client.get(`${base}?from=2026-01&to=2026-04&format=csv`).loginAs(user)
    assert.include(trendCsv.text(), '2026-04,545.00,')

    const xlsx = await client.get(`${base}?from=2026-01&to=2026-04&format=xlsx`).loginAs(user)
    xlsx.assertStatus(200)
    assert.include(xlsx.header('content-type'), 'spreadsheetml')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.body() as any)
    const names = workbook.worksheets.map((w) => w.name)
    assert.includeMembers(names, [
      'Cost per month',
      'Month over month',
      'By category',
      'By department',
      'Department by month',
      'By employee',
      'Per-employee trend',
    ])
    const trend = workbook.getWorksheet('Cost per month')!
    assert.equal(trend.getRow(5).getCell(1).value, '2026-04')
    assert.equal(trend.getRow(5).getCell(2).value, 545)

    for (const path of [
      '/employees?category=calls',
      `/employees/${s.alice.id}`,
      '/waste',
      '/anomalies?period=2026-04',
    ]) {
      const sep = path.includes('?') ? '&' : '?'
      for (const format of ['csv', 'xlsx']) {
        const r = await client.get(`${base}${path}${sep}format=${format}`).loginAs(user)
        r.assertStatus(200)
        assert.match(r.header('content-disposition') ?? '', new RegExp(`\\.${format}"$`))
      }
    }
  })

  test('a portal user cannot reach the staff insights, an unknown customer is 404', async ({
    client,
  }) => {
    const s = await seedCustomer({ miAddon: true })
    const portal = await makeUser('portal', { customerId: s.customer.id })
    const r = await client.get(`/customers/${s.customer.id}/insights`).withInertia().loginAs(portal)
    r.assertStatus(404)
    const missing = await client
      .get(`/customers/999999/insights`)
      .withInertia()
      .loginAs(await makeUser('admin'))
    missing.assertStatus(404)
  })
})
