import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import {
  makeCustomer,
  makeUser,
  makeService,
  makeDepartment,
  makeEmployee,
} from '#tests/helpers/factories'
import RecurringCharge from '#models/recurring_charge'
import AuditLog from '#models/audit_log'

/**
 * Staff add, edit, end and delete manual recurring charges (line rental, licences …) of a customer
 * over HTTP; amounts are stored exactly in e4, the insights' recurring rollups follow, tenancy holds,
 * charges managed by a sync stay read-only, every change is audited.
 */

async function seed() {
  const customer = await makeCustomer()
  const other = await makeCustomer()
  const sales = await makeDepartment(customer, {
    name: 'Sales',
    costCentre: 'S1',
  })
  const alice = await makeEmployee(customer, {
    name: 'Alice',
    email: 'alice@customer.example',
    departmentId: sales.id,
    active: true,
  })
  const stranger = await makeEmployee(other, {
    name: 'Stranger',
    email: 'stranger@other.example',
    active: true,
  })
  const admin = await makeUser('admin')
  return { customer, other, sales, alice, stranger, admin }
}

const json = { accept: 'application/json' }

async function rollups(customerId: number) {
  const rows = await db
    .from('recurring_rollups')
    .where('customer_id', customerId)
    .orderBy('period')
    .select(
      'period',
      'department_id',
      'employee_id',
      'category',
      'charge_count',
      'price_e4',
      'cost_e4'
    )
  return rows.map((r: any) => ({
    period: String(r.period),
    department_id: Number(r.department_id),
    employee_id: Number(r.employee_id),
    category: String(r.category),
    charge_count: Number(r.charge_count),
    price_e4: Number(r.price_e4),
    cost_e4: Number(r.cost_e4),
  }))
}

async function auditActions(chargeId: number) {
  const rows = await AuditLog.query()
    .where('subject_type', 'recurring_charge')
    .where('subject_id', chargeId)
    .orderBy('id')
  return rows.map((r) => r.action)
}

test.group('recurring charges: staff add, edit, end and delete', (group) => {
  group.each.setup(() => truncateAll())

  test('create stores exact e4 amounts, rolls up pro-rata months exactly and is audited', async ({
    client,
    assert,
  }) => {
    const s = await seed()
    const response = await client
      .post(`/customers/${s.customer.id}/recurring-charges`)
      .headers(json)
      .json({
        description: 'Line rental 01632 960000',
        category: 'line_rental',
        quantity: 2,
        unitPrice: '12.50',
        unitCost: '8.0025',
        startsOn: '2025-01-16',
        endsOn: '2025-03-31',
        employeeId: s.alice.id,
      })
      .loginAs(s.admin)
      .withCsrfToken()
    response.assertStatus(201)
    const charge = await RecurringCharge.findOrFail(response.body().id)
    assert.deepInclude(charge.$attributes, {
      customerId: s.customer.id,
      employeeId: s.alice.id,
      serviceId: null,
      category: 'line_rental',
      quantity: 2,
      origin: 'manual',
    })
    assert.strictEqual(Number(charge.unitPriceE4), 125_000)
    assert.strictEqual(Number(charge.unitCostE4), 80_025)
    assert.equal(charge.startsOn.toISODate(), '2025-01-16')
    assert.equal(charge.endsOn?.toISODate(), '2025-03-31')

    // January: 16 of 31 days. 2 × 12.5000 × 16/31 = 12.903225… → 12.9032; cost 2 × 8.0025 × 16/31 = 8.26064… → 8.2606.
    const base = {
      department_id: s.sales.id,
      employee_id: s.alice.id,
      category: 'line_rental',
      charge_count: 1,
    }
    assert.deepEqual(await rollups(s.customer.id), [
      { period: '2025-01', ...base, price_e4: 129_032, cost_e4: 82_606 },
      { period: '2025-02', ...base, price_e4: 250_000, cost_e4: 160_050 },
      { period: '2025-03', ...base, price_e4: 250_000, cost_e4: 160_050 },
    ])

    assert.deepEqual(await auditActions(charge.id), ['recurring_charge.create'])
    const log = await AuditLog.query().where('subject_id', charge.id).firstOrFail()
    assert.equal(log.userId, s.admin.id)
    assert.include(log.changes!, {
      unitPriceE4: 125_000,
      unitCostE4: 80_025,
      startsOn: '2025-01-16',
      quantity: 2,
    })

    // The page lists it for a viewer, read-only props included.
    const viewer = await makeUser('viewer')
    const page = await client
      .get(`/customers/${s.customer.id}/recurring-charges`)
      .withInertia()
      .loginAs(viewer)
    page.assertStatus(200)
    page.assertInertiaComponent('recurring_charges/index')
    assert.deepInclude(page.inertiaProps.charges[0], {
      id: charge.id,
      unitPrice: '12.5000',
      unitCost: '8.0025',
      origin: 'manual',
      billed: false,
      employee: 'Alice',
    })
  })

  test('edit moves the start and price; end stops it; rollups follow for old and new months exactly', async ({
    client,
    assert,
  }) => {
    const s = await seed()
    const created = await client
      .post(`/customers/${s.customer.id}/recurring-charges`)
      .headers(json)
      .json({
        description: 'Support',
        category: 'support',
        quantity: 1,
        unitPrice: '30',
        startsOn: '2025-01-01',
        endsOn: '2025-04-30',
      })
      .loginAs(s.admin)
      .withCsrfToken()
    created.assertStatus(201)
    const id = created.body().id
    assert.deepEqual(
      (await rollups(s.customer.id)).map((r) => [r.period, r.price_e4, r.cost_e4]),
      [
        ['2025-01', 300_000, 0],
        ['2025-02', 300_000, 0],
        ['2025-03', 300_000, 0],
        ['2025-04', 300_000, 0],
      ]
    )

    const edited = await client
      .put(`/recurring-charges/${id}`)
      .headers(json)
      .json({
        description: 'Support desk',
        category: 'support',
        quantity: 3,
        unitPrice: '10.0001',
        unitCost: '4',
        startsOn: '2025-02-15',
        endsOn: '2025-04-30',
      })
      .loginAs(s.admin)
      .withCsrfToken()
    edited.assertStatus(200)
    const charge = await RecurringCharge.findOrFail(id)
    assert.equal(charge.description, 'Support desk')
    assert.strictEqual(Number(charge.unitPriceE4), 100_001)
    assert.strictEqual(Number(charge.unitCostE4), 40_000)
    // January is gone; February 14/28 days: 3 × 10.0001 × 14/28 = 15.00015 → 15.0002 (half-up).
    assert.deepEqual(
      (await rollups(s.customer.id)).map((r) => [r.period, r.employee_id, r.price_e4, r.cost_e4]),
      [
        ['2025-02', 0, 150_002, 60_000],
        ['2025-03', 0, 300_003, 120_000],
        ['2025-04', 0, 300_003, 120_000],
      ]
    )

    const ended = await client
      .post(`/recurring-charges/${id}/end`)
      .headers(json)
      .json({ endsOn: '2025-03-10' })
      .loginAs(s.admin)
      .withCsrfToken()
    ended.assertStatus(200)
    assert.equal((await RecurringCharge.findOrFail(id)).endsOn?.toISODate(), '2025-03-10')
    // March 10/31 days: 3 × 10.0001 × 10/31 = 9.67751… → 9.6775; April nothing.
    assert.deepEqual(
      (await rollups(s.customer.id)).map((r) => [r.period, r.price_e4, r.cost_e4]),
      [
        ['2025-02', 150_002, 60_000],
        ['2025-03', 96_775, 38_710],
      ]
    )

    const before = await client
      .post(`/recurring-charges/${id}/end`)
      .headers(json)
      .json({ endsOn: '2025-02-14' })
      .loginAs(s.admin)
      .withCsrfToken()
    before.assertStatus(422)
    assert.deepEqual(
      before.body().errors.map((e: any) => e.field),
      ['endsOn']
    )

    assert.deepEqual(await auditActions(id), [
      'recurring_charge.create',
      'recurring_charge.update',
      'recurring_charge.end',
    ])
    const update = await AuditLog.query()
      .where('subject_id', id)
      .where('action', 'recurring_charge.update')
      .firstOrFail()
    assert.deepEqual(update.changes!.unitPriceE4, { from: 300_000, to: 100_001 })
    assert.deepEqual(update.changes!.startsOn, { from: '2025-01-01', to: '2025-02-15' })
    const end = await AuditLog.query()
      .where('subject_id', id)
      .where('action', 'recurring_charge.end')
      .firstOrFail()
    assert.deepEqual(end.changes, { endsOn: { from: '2025-04-30', to: '2025-03-10' } })
  })

  test('validation: tenancy of employee and service, dates, quantity and exact money', async ({
    client,
    assert,
  }) => {
    const s = await seed()
    const otherService = await makeService(s.other, { identifier: '447700900111' })
    const valid = {
      description: 'Line rental',
      category: 'line_rental',
      quantity: 1,
      unitPrice: '12.50',
      startsOn: '2025-01-01',
    }
    const post = (body: Record<string, unknown>) =>
      client
        .post(`/customers/${s.customer.id}/recurring-charges`)
        .headers(json)
        .json(body)
        .loginAs(s.admin)
        .withCsrfToken()
    const fields = (response: { body(): any }) =>
      (response.body().errors ?? []).map((e: any) => e.field)

    const stranger = await post({ ...valid, employeeId: s.stranger.id })
    stranger.assertStatus(422)
    assert.deepEqual(fields(stranger), ['employeeId'])
    assert.equal(stranger.body().errors[0].message, 'Choose an employee of this customer')

    const service = await post({ ...valid, serviceId: otherService.id })
    service.assertStatus(422)
    assert.deepEqual(fields(service), ['serviceId'])

    const dates = await post({ ...valid, startsOn: '2025-02-01', endsOn: '2025-01-31' })
    dates.assertStatus(422)
    assert.deepEqual(fields(dates), ['endsOn'])

    const badDate = await post({ ...valid, startsOn: '2025-02-30' })
    badDate.assertStatus(422)
    assert.deepEqual(fields(badDate), ['startsOn'])

    const zero = await post({ ...valid, quantity: 0 })
    zero.assertStatus(422)
    assert.deepEqual(fields(zero), ['quantity'])

    const tooPrecise = await post({ ...valid, unitPrice: '12.50001' })
    tooPrecise.assertStatus(422)
    assert.deepEqual(fields(tooPrecise), ['unitPrice'])

    const negative = await post({ ...valid, unitCost: '-1' })
    negative.assertStatus(422)
    assert.deepEqual(fields(negative), ['unitCost'])

    const reserved = await post({ ...valid, category: 'mi_addon' })
    reserved.assertStatus(422)
    assert.deepEqual(fields(reserved), ['category'])

    assert.equal(Number((await db.from('recurring_charges').count('* as n').first()).n), 0)

    // Editing a charge to point at another customer's employee is refused the same way.
    const ok = await post({ ...valid, unitPrice: '1,234.5' })
    ok.assertStatus(201)
    assert.strictEqual(
      Number((await RecurringCharge.findOrFail(ok.body().id)).unitPriceE4),
      12_345_000
    )
    const move = await client
      .put(`/recurring-charges/${ok.body().id}`)
      .headers(json)
      .json({ ...valid, employeeId: s.stranger.id })
      .loginAs(s.admin)
      .withCsrfToken()
    move.assertStatus(422)
    assert.deepEqual(fields(move), ['employeeId'])
    assert.isNull((await RecurringCharge.findOrFail(ok.body().id)).employeeId)
  })

  test('viewers read but cannot change', async ({ client, assert }) => {
    const s = await seed()
    const charge = await RecurringCharge.create({
      customerId: s.customer.id,
      employeeId: null,
      serviceId: null,
      description: 'Line rental',
      category: 'line_rental',
      quantity: 1,
      unitPriceE4: 100_000,
      unitCostE4: 0,
      startsOn: DateTime.fromISO('2025-01-01'),
      endsOn: null,
      origin: 'manual',
      externalRef: null,
    })
    const viewer = await makeUser('viewer')
    const page = await client
      .get(`/customers/${s.customer.id}/recurring-charges`)
      .withInertia()
      .loginAs(viewer)
    page.assertStatus(200)
    const body = {
      description: 'X',
      category: 'other',
      quantity: 1,
      unitPrice: '1',
      startsOn: '2025-01-01',
    }
    ;(
      await client
        .post(`/customers/${s.customer.id}/recurring-charges`)
        .headers(json)
        .json(body)
        .loginAs(viewer)
        .withCsrfToken()
    ).assertStatus(403)
    ;(
      await client
        .put(`/recurring-charges/${charge.id}`)
        .headers(json)
        .json(body)
        .loginAs(viewer)
        .withCsrfToken()
    ).assertStatus(403)
    ;(
      await client
        .post(`/recurring-charges/${charge.id}/end`)
        .headers(json)
        .json({ endsOn: '2025-02-01' })
        .loginAs(viewer)
        .withCsrfToken()
    ).assertStatus(403)
    ;(
      await client
        .delete(`/recurring-charges/${charge.id}`)
        .headers(json)
        .loginAs(viewer)
        .withCsrfToken()
    ).assertStatus(403)
    const after = await RecurringCharge.findOrFail(charge.id)
    assert.equal(after.description, 'Line rental')
    assert.isNull(after.endsOn)
    assert.equal(Number((await db.from('recurring_charges').count('* as n').first()).n), 1)
    assert.deepEqual(await auditActions(charge.id), [])
  })

  test('charges managed by the Microsoft 365 sync or the MI add-on are read-only', async ({
    client,
    assert,
  }) => {
    const s = await seed()
    const m365 = await RecurringCharge.create({
      customerId: s.customer.id,
      employeeId: s.alice.id,
      serviceId: null,
      description: 'Microsoft 365 E3',
      category: 'licence',
      quantity: 1,
      unitPriceE4: 200_000,
      unitCostE4: 150_000,
      startsOn: DateTime.fromISO('2025-01-01'),
      endsOn: null,
      origin: 'm365',
      externalRef: 'sku:e3',
    })
    const body = {
      description: 'Cheaper',
      category: 'licence',
      quantity: 1,
      unitPrice: '1',
      startsOn: '2025-01-01',
    }
    const put = await client
      .put(`/recurring-charges/${m365.id}`)
      .headers(json)
      .json(body)
      .loginAs(s.admin)
      .withCsrfToken()
    put.assertStatus(403)
    assert.include(put.body().errors[0].message, 'Microsoft 365 sync')
    ;(
      await client
        .post(`/recurring-charges/${m365.id}/end`)
        .headers(json)
        .json({ endsOn: '2025-02-01' })
        .loginAs(s.admin)
        .withCsrfToken()
    ).assertStatus(403)
    ;(
      await client
        .delete(`/recurring-charges/${m365.id}`)
        .headers(json)
        .loginAs(s.admin)
        .withCsrfToken()
    ).assertStatus(403)
    const after = await RecurringCharge.findOrFail(m365.id)
    assert.equal(after.description, 'Microsoft 365 E3')
    assert.strictEqual(Number(after.unitPriceE4), 200_000)
    assert.isNull(after.endsOn)
    assert.deepEqual(await auditActions(m365.id), [])

    const page = await client
      .get(`/customers/${s.customer.id}/recurring-charges`)
      .withInertia()
      .loginAs(s.admin)
    assert.deepInclude(page.inertiaProps.charges[0], { id: m365.id, origin: 'm365' })
  })

  test('a charge never invoiced can be deleted; an invoiced one only ended, with price and start fixed', async ({
    client,
    assert,
  }) => {
    const s = await seed()
    const make = async (startsOn: string) => {
      const r = await client
        .post(`/customers/${s.customer.id}/recurring-charges`)
        .headers(json)
        .json({
          description: 'Line rental',
          category: 'line_rental',
          quantity: 1,
          unitPrice: '10',
          startsOn,
          endsOn: '2025-06-30',
        })
        .loginAs(s.admin)
        .withCsrfToken()
      r.assertStatus(201)
      return r.body().id as number
    }
    const fresh = await make('2025-05-01')
    const billed = await make('2025-01-01')
    // An invoice for usage period 2025-02 with recurring lines (advance: bills March).
    const [runId] = await db
      .table('billing_runs')
      .insert({ period: '2025-02', status: 'finalized', created_at: new Date() })
    const [invoiceId] = await db.table('invoices').insert({
      billing_run_id: runId,
      customer_id: s.customer.id,
      period: '2025-02',
      status: 'finalized',
      number: 'INV-1',
      created_at: new Date(),
    })
    await db.table('invoice_lines').insert({
      invoice_id: invoiceId,
      kind: 'recurring',
      category: 'line_rental',
      description: 'Line rental (Mar 2025)',
      quantity: 1,
      unit_price_e4: 100_000,
      amount_minor: 1000,
      tax_rate_bp: 2000,
    })

    const del = await client
      .delete(`/recurring-charges/${fresh}`)
      .headers(json)
      .loginAs(s.admin)
      .withCsrfToken()
    del.assertStatus(200)
    assert.isNull(await RecurringCharge.find(fresh))
    assert.deepEqual(await auditActions(fresh), [
      'recurring_charge.create',
      'recurring_charge.delete',
    ])
    assert.deepEqual(
      (await rollups(s.customer.id)).map((r) => [r.period, r.charge_count, r.price_e4]),
      [
        ['2025-01', 1, 100_000],
        ['2025-02', 1, 100_000],
        ['2025-03', 1, 100_000],
        ['2025-04', 1, 100_000],
        ['2025-05', 1, 100_000],
        ['2025-06', 1, 100_000],
      ]
    )

    const refused = await client
      .delete(`/recurring-charges/${billed}`)
      .headers(json)
      .loginAs(s.admin)
      .withCsrfToken()
    refused.assertStatus(422)
    assert.isNotNull(await RecurringCharge.find(billed))

    const reprice = await client
      .put(`/recurring-charges/${billed}`)
      .headers(json)
      .json({
        description: 'Line rental',
        category: 'line_rental',
        quantity: 1,
        unitPrice: '11',
        startsOn: '2025-01-01',
        endsOn: '2025-06-30',
      })
      .loginAs(s.admin)
      .withCsrfToken()
    reprice.assertStatus(422)
    assert.deepEqual(
      reprice.body().errors.map((e: any) => e.field),
      ['unitPrice']
    )
    assert.strictEqual(Number((await RecurringCharge.findOrFail(billed)).unitPriceE4), 100_000)

    const rename = await client
      .put(`/recurring-charges/${billed}`)
      .headers(json)
      .json({
        description: 'Line rental 01632 960000',
        category: 'line_rental',
        quantity: 1,
        unitPrice: '10.00',
        startsOn: '2025-01-01',
        endsOn: '2025-06-30',
        employeeId: s.alice.id,
      })
      .loginAs(s.admin)
      .withCsrfToken()
    rename.assertStatus(200)
    assert.equal((await RecurringCharge.findOrFail(billed)).employeeId, s.alice.id)

    const page = await client
      .get(`/customers/${s.customer.id}/recurring-charges`)
      .withInertia()
      .loginAs(s.admin)
    assert.deepInclude(page.inertiaProps.charges[0], { id: billed, billed: true })
  })

  test('only a line that names the charge makes it invoiced once lines record their charge and month', async ({
    client,
    assert,
  }) => {
    const s = await seed()
    const make = async (startsOn: string) => {
      const r = await client
        .post(`/customers/${s.customer.id}/recurring-charges`)
        .headers(json)
        .json({
          description: 'Line rental',
          category: 'line_rental',
          quantity: 1,
          unitPrice: '10',
          startsOn,
        })
        .loginAs(s.admin)
        .withCsrfToken()
      r.assertStatus(201)
      return r.body().id as number
    }
    const billed = await make('2025-05-01')
    // May's invoice bills June of that charge (advance), and says so on its line.
    const [runId] = await db
      .table('billing_runs')
      .insert({ period: '2025-05', status: 'finalized', created_at: new Date() })
    const [invoiceId] = await db.table('invoices').insert({
      billing_run_id: runId,
      customer_id: s.customer.id,
      period: '2025-05',
      status: 'finalized',
      number: 'INV-2',
      created_at: new Date(),
    })
    await db.table('invoice_lines').insert({
      invoice_id: invoiceId,
      kind: 'recurring',
      category: 'line_rental',
      description: 'Line rental (Jun 2025)',
      quantity: 1,
      unit_price_e4: 100_000,
      amount_minor: 1000,
      tax_rate_bp: 2000,
      recurring_charge_id: billed,
      recurring_month: '2025-06',
    })
    // A charge added afterwards, active in the same month, was never billed.
    const added = await make('2025-06-10')

    const page = await client
      .get(`/customers/${s.customer.id}/recurring-charges`)
      .withInertia()
      .loginAs(s.admin)
    const flags = Object.fromEntries(page.inertiaProps.charges.map((c: any) => [c.id, c.billed]))
    assert.deepEqual(flags, { [billed]: true, [added]: false })
    ;(
      await client
        .delete(`/recurring-charges/${billed}`)
        .headers(json)
        .loginAs(s.admin)
        .withCsrfToken()
    ).assertStatus(422)
    ;(
      await client
        .delete(`/recurring-charges/${added}`)
        .headers(json)
        .loginAs(s.admin)
        .withCsrfToken()
    ).assertStatus(200)
    assert.isNull(await RecurringCharge.find(added))
  })
})

const run = promisify(execFile)
const ace = (args: string[]) =>
  run('node', ['ace', ...args], {
    cwd: app.makePath(),
    env: { ...process.env, NODE_ENV: 'test' },
    maxBuffer: 8 * 1024 * 1024,
  })

test.group('recurring:add --json', (group) => {
  group.each.setup(() => truncateAll())

  test('adds a charge for an employee found by email, exactly, with rollups; refuses a stranger', async ({
    assert,
  }) => {
    const s = await seed()
    const args = [
      'recurring:add',
      '--customer',
      s.customer.accountNumber,
      '--description',
      'Line rental',
      '--price',
      '12.50',
      '--cost',
      '8.00',
      '--quantity',
      '2',
      '--from',
      '2025-01-16',
      '--to',
      '2025-02-28',
    ]
    const { stdout } = await ace([...args, '--employee', 'ALICE@customer.example', '--json'])
    const out = JSON.parse(stdout)
    assert.deepInclude(out, {
      customer: s.customer.accountNumber,
      unit_price_e4: 125_000,
      unit_cost_e4: 80_000,
      quantity: 2,
      starts_on: '2025-01-16',
      ends_on: '2025-02-28',
      employee_id: s.alice.id,
    })
    assert.strictEqual(Number((await RecurringCharge.findOrFail(out.id)).unitPriceE4), 125_000)
    assert.deepEqual(
      (await rollups(s.customer.id)).map((r) => [r.period, r.employee_id, r.price_e4, r.cost_e4]),
      [
        ['2025-01', s.alice.id, 129_032, 82_581],
        ['2025-02', s.alice.id, 250_000, 160_000],
      ]
    )
    assert.deepEqual(await auditActions(out.id), ['recurring_charge.create'])

    const stranger = await ace([...args, '--employee', 'stranger@other.example', '--json']).catch(
      (e) => e
    )
    assert.equal(stranger.code, 1)
    assert.match(JSON.parse(stranger.stdout).error, /no employee/)
    const badPrice = await ace([
      ...args.slice(0, 5),
      '--price',
      '12.505001',
      '--from',
      '2025-01-01',
      '--json',
    ]).catch((e) => e)
    assert.equal(badPrice.code, 1)
    assert.deepEqual(
      JSON.parse(badPrice.stdout).errors.map((e: any) => e.field),
      ['unitPrice']
    )
    assert.equal(Number((await db.from('recurring_charges').count('* as n').first()).n), 1)
  })
})
