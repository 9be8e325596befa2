import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Invoice from '#models/invoice'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { createRun, finalizeRun } from '#billing/runs'
import { computeInvoice } from '#billing/compute'
import { buildInvoiceView, loadInvoiceSource } from '#documents/invoice_view'
import { clearInsightsCache } from '#insights/cache'
import { makeMoneyFixture } from './money_fixture.js'
import { allocationHealth } from '#consolidation/queries'
import { unallocatedIdentifiers } from '#consolidation/unallocated'
import {} from './seed.js'

/**
 * One money model (issue 12 item 1): on random data, a finalized month's MI figures are exactly the
 * invoice's (total, each employee, unallocated usage, account charges), the dashboard equals the
 * employees page, the portal equals admin MI, category parts add up to every row total, and an open
 * month shows exactly what its draft bills. Runs on MySQL and on SQLite (DB_CONNECTION=sqlite).
 */

const SEEDS = [1, 2, 3, 4, 5]

async function lineSums(invoiceId: number) {
  const lines = await db
    .from('invoice_lines')
    .where('invoice_id', invoiceId)
    .select('employee_id', 'kind', 'amount_minor', 'category')
  const byEmployee = new Map<number, number>()
  let unallocated = 0
  let account = 0
  for (const l of lines) {
    const amount = Number(l.amount_minor)
    if (l.employee_id !== null)
      byEmployee.set(Number(l.employee_id), (byEmployee.get(Number(l.employee_id)) ?? 0) + amount)
    else if (l.kind === 'usage') unallocated += amount
    else account += amount
  }
  return { byEmployee, unallocated, account }
}

async function billFirstMonth(customerId: number, period: string) {
  const { run } = await createRun({ period, customerIds: [customerId] })
  await finalizeRun(run.id)
  return Invoice.query().where('customer_id', customerId).where('period', period).firstOrFail()
}

test.group('one money model', (group) => {
  group.each.setup(async () => {
    clearInsightsCache()
    return truncateAll()
  })

  test(
    'a finalized month in MI is its invoice: net, every employee, unallocated usage and account charges (seed {$self})'
  )
    .with(SEEDS)
    .run(async ({ client, assert }, seed) => {
      const f = await makeMoneyFixture(seed)
      const [billed] = f.months
      const invoice = await billFirstMonth(f.customer.id, billed)
      const staff = await makeUser('viewer')
      const base = `/customers/${f.customer.id}/insights`

      const dash = await client
        .get(`${base}?from=${f.months[0]}&to=${f.months[1]}`)
        .withInertia()
        .loginAs(staff)
      dash.assertStatus(200)
      const month = dash.inertiaProps.data.trend.find((t: any) => t.period === billed)
      assert.equal(month.amountMinor, invoice.subtotalMinor, 'MI month = invoice net')

      const page = await client
        .get(`${base}/employees?period=${billed}`)
        .withInertia()
        .loginAs(staff)
      const rows = page.inertiaProps.rows as any[]
      assert.equal(page.inertiaProps.totalMinor, invoice.subtotalMinor, 'Σ employees = invoice net')
      const sums = await lineSums(invoice.id)
      for (const [employeeId, minor] of sums.byEmployee) {
        assert.equal(
          rows.find((r) => r.employeeId === employeeId)?.amountMinor,
          minor,
          `employee ${employeeId}`
        )
      }
      assert.equal(rows.find((r) => r.name === 'Unallocated')?.amountMinor ?? 0, sums.unallocated)
      assert.equal(rows.find((r) => r.name === 'Account charges')?.amountMinor ?? 0, sums.account)
      assert.isAbove(sums.account, 0)

      // The invoice document's per-user section says the same.
      const view = buildInvoiceView(await loadInvoiceSource(invoice.id))
      const people = view.people.reduce((s: number, p: any) => s + p.total_minor, 0)
      assert.equal(
        people + (view.unallocated?.total_minor ?? 0) + (view.account_charges?.total_minor ?? 0),
        invoice.subtotalMinor
      )
      assert.equal(view.unallocated?.total_minor ?? 0, sums.unallocated)
      assert.equal(view.account_charges?.total_minor ?? 0, sums.account)
    })

  test(
    'the dashboard equals the employees page; category parts add up to every row; the portal equals admin MI (seed {$self})'
  )
    .with(SEEDS)
    .run(async ({ client, assert }, seed) => {
      const f = await makeMoneyFixture(seed)
      await billFirstMonth(f.customer.id, f.months[0])
      const staff = await makeUser('viewer')
      const portal = await makeUser('portal', { customerId: f.customer.id })
      const range = `from=${f.months[0]}&to=${f.months[1]}`
      const base = `/customers/${f.customer.id}/insights`

      const dash = (await client.get(`${base}?${range}`).withInertia().loginAs(staff)).body().props
        .data
      const employees = (
        await client.get(`${base}/employees?${range}`).withInertia().loginAs(staff)
      ).inertiaProps
      assert.equal(dash.totals.amountMinor, employees.totalMinor, 'dashboard = employees page')
      assert.equal(
        dash.totals.amountMinor,
        dash.trend.reduce((s: number, t: any) => s + t.amountMinor, 0),
        'months add up'
      )
      assert.equal(
        dash.totals.amountMinor,
        dash.byCategory.reduce((s: number, c: any) => s + c.amountMinor, 0),
        'categories add up'
      )
      assert.equal(
        dash.totals.amountMinor,
        dash.byDepartment.reduce((s: number, c: any) => s + c.amountMinor, 0),
        'departments add up'
      )
      const accountRow = dash.byDepartment.find((d: any) => d.department === 'Account charges')
      const accountPage = await client
        .get(`${base}/employees?${range}&departmentId=${accountRow.departmentId}`)
        .withInertia()
        .loginAs(staff)
      accountPage.assertStatus(200)
      assert.equal(accountPage.inertiaProps.totalMinor, accountRow.amountMinor)
      assert.deepEqual(
        accountPage.inertiaProps.rows.map((r: any) => r.name),
        ['Account charges']
      )
      for (const d of dash.departmentTrend) {
        const row = dash.byDepartment.find((x: any) => x.departmentId === d.departmentId)
        assert.equal(
          d.months.reduce((a: number, b: number) => a + b, 0),
          row.amountMinor,
          `department × month ${d.department}`
        )
      }

      for (const row of employees.rows.filter((r: any) => r.employeeId >= 0)) {
        const detail = (
          await client
            .get(`${base}/employees/${row.employeeId}?${range}`)
            .withInertia()
            .loginAs(staff)
        ).inertiaProps.detail
        assert.equal(detail.totalMinor, row.amountMinor, `employee ${row.name}: detail = row`)
        for (const t of detail.trend) {
          const parts = Object.values(t.byCategory as Record<string, number>).reduce(
            (a, b) => a + b,
            0
          )
          assert.equal(parts, t.amountMinor, `${row.name} ${t.period}: category parts add up`)
          assert.equal(t.usageMinor + t.recurringMinor, t.amountMinor)
        }
      }

      const portalDash = (await client.get(`/portal?${range}`).withInertia().loginAs(portal))
        .inertiaProps.data
      assert.deepEqual(portalDash.totals, dash.totals)
      assert.deepEqual(portalDash.trend, dash.trend)
      assert.deepEqual(portalDash.byCategory, dash.byCategory)
      const portalEmployees = (
        await client.get(`/portal/employees?${range}`).withInertia().loginAs(portal)
      ).inertiaProps
      assert.deepEqual(portalEmployees.rows, employees.rows)
      assert.equal(portalEmployees.totalMinor, dash.totals.amountMinor)
    })

  test('an open month shows exactly what its draft would bill (seed {$self})')
    .with(SEEDS)
    .run(async ({ client, assert }, seed) => {
      const f = await makeMoneyFixture(seed)
      await billFirstMonth(f.customer.id, f.months[0])
      const open = f.months[1]
      const draft = await computeInvoice(db.connection(), f.customer, open)
      const staff = await makeUser('billing')
      const page = await client
        .get(`/customers/${f.customer.id}/insights/employees?period=${open}`)
        .withInertia()
        .loginAs(staff)
      assert.equal(page.inertiaProps.totalMinor, draft.subtotalMinor)
      const byEmployee = new Map<number, number>()
      for (const l of draft.lines) {
        const key = l.employeeId ?? (l.kind === 'usage' ? 0 : -1)
        byEmployee.set(key, (byEmployee.get(key) ?? 0) + l.amountMinor)
      }
      for (const [key, minor] of byEmployee)
        assert.equal(
          page.inertiaProps.rows.find((r: any) => r.employeeId === key)?.amountMinor,
          minor,
          `employee ${key}`
        )
    })

  test(
    '"Unallocated" means usage with no employee, and allocation health, the queue, MI and the invoice agree (seed {$self})'
  )
    .with(SEEDS)
    .run(async ({ client, assert }, seed) => {
      const f = await makeMoneyFixture(seed)
      const [first, second] = f.months
      const staff = await makeUser('viewer')
      const miUnallocated = async (period: string) => {
        const rows = (
          await client
            .get(`/customers/${f.customer.id}/insights/employees?period=${period}`)
            .withInertia()
            .loginAs(staff)
        ).inertiaProps.rows
        return rows.find((r: any) => r.name === 'Unallocated')?.amountMinor ?? 0
      }
      const health = async (period: string) =>
        (await allocationHealth(f.customer.id, 'GBP')).find((m) => m.period === period)!
          .unallocatedPriceMinor
      const queue = async () =>
        (await unallocatedIdentifiers(f.customer.id)).reduce((s, r) => s + r.priceMinor, 0)

      // Both months open: the draft of the first month, MI and allocation health; the queue holds both months.
      const draft = await computeInvoice(db.connection(), f.customer, first)
      const draftUnallocated = draft.lines
        .filter((l) => l.employeeId === null && l.kind === 'usage')
        .reduce((s, l) => s + l.amountMinor, 0)
      assert.equal(await miUnallocated(first), draftUnallocated)
      assert.equal(await health(first), draftUnallocated)
      assert.equal(await queue(), (await health(first)) + (await health(second)))
      assert.sameMembers(
        (await unallocatedIdentifiers(f.customer.id)).map((r) => r.identifier),
        [f.unassignedIdentifier, f.unknownIdentifier]
      )

      // The first month billed: its invoice's unallocated section lists each identifier; the queue keeps the open month.
      const invoice = await billFirstMonth(f.customer.id, first)
      const view = buildInvoiceView(await loadInvoiceSource(invoice.id))
      assert.equal(view.unallocated!.total_minor, draftUnallocated)
      assert.equal(
        view.unallocated!.services.reduce((s, x) => s + x.total_minor, 0),
        draftUnallocated
      )
      // Numbers are shown formatted ("020 0001 1234"): compare their last nine digits.
      const digits = (text: string) => text.replace(/\D/g, '').slice(-9)
      assert.sameMembers(
        view.unallocated!.services.map((x) =>
          digits(
            x.label.includes(f.unknownIdentifier)
              ? f.unknownIdentifier
              : x.label.split(' · ').pop()!
          )
        ),
        [digits(f.unassignedIdentifier), digits(f.unknownIdentifier)]
      )
      assert.notInclude(JSON.stringify(view.unallocated), 'Management information')
      assert.include(JSON.stringify(view.account_charges), 'Management information add-on')
      assert.equal(await miUnallocated(first), view.unallocated!.total_minor)
      assert.equal(await health(first), view.unallocated!.total_minor)
      assert.equal(await queue(), await miUnallocated(second))
      assert.equal(await queue(), await health(second))
    })
})
