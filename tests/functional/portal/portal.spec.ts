import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import env from '#start/env'
import { SMTPServer } from 'smtp-server'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import User from '#models/user'
import Customer from '#models/customer'
import { setMiAddon } from '#insights/mi_addon'
import { binaryResponses, addRecords, seedCustomer, seedFourMonths } from '../insights/seed.js'

/** A real SMTP server on SMTP_HOST:SMTP_PORT (the mailer's configured relay) that keeps each message. */
async function startSmtp() {
  const messages: { to: string[]; raw: string }[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        messages.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  const port = Number(env.get('SMTP_PORT') || 2525)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return { messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Two customers with the add-on, each with employees, rollups, records and a finalized invoice with a PDF. */
async function twoCustomers() {
  const a = await seedCustomer({ miAddon: true, name: 'Alpha Ltd' })
  const b = await seedCustomer({ miAddon: true, name: 'Bravo Ltd' })
  await seedFourMonths(a)
  await seedFourMonths(b)
  await addRecords(b.customer, [
    { period: '2026-04', employee: b.alice, category: 'calls', pounds: 3 },
  ])
  const [runId] = await db
    .table('billing_runs')
    .insert({ period: '2026-04', status: 'finalized', created_at: '2026-05-01 00:00:00' })
  const invoice = async (
    customerId: number,
    number: string | null,
    status: string,
    period: string
  ) => {
    const pdfPath = `portal-test/${number ?? 'draft-' + customerId + period}.pdf`
    await drive.use().put(pdfPath, `%PDF-1.4 fake invoice ${number}`)
    const [id] = await db.table('invoices').insert({
      billing_run_id: runId,
      customer_id: customerId,
      period,
      number,
      status,
      currency: 'GBP',
      subtotal_minor: 10000,
      tax_minor: 2000,
      total_minor: 12000,
      pdf_path: pdfPath,
      created_at: '2026-05-01 00:00:00',
    })
    return Number(id)
  }
  // Finalized months are read from their invoice's lines (these fake invoices have none): keep them
  // outside the insights range the tests look at.
  const invoiceA = await invoice(a.customer.id, 'INV-000001', 'finalized', '2025-12')
  const draftA = await invoice(a.customer.id, null, 'draft', '2026-05')
  const invoiceB = await invoice(b.customer.id, 'INV-000002', 'finalized', '2025-12')
  const userA = await makeUser('portal', { customerId: a.customer.id })
  const userB = await makeUser('portal', { customerId: b.customer.id })
  return { a, b, invoiceA, draftA, invoiceB, userA, userB }
}

test.group('portal: scoping', (group) => {
  binaryResponses(group)
  group.each.setup(() => truncateAll())

  test('customer A sees only its own insights and finalized invoices', async ({
    client,
    assert,
  }) => {
    const { a, b, userA, invoiceA } = await twoCustomers()
    const dash = await client.get('/portal?from=2026-01&to=2026-04').withInertia().loginAs(userA)
    dash.assertStatus(200)
    dash.assertInertiaComponent('portal/dashboard')
    assert.equal(dash.inertiaProps.customer.id, a.customer.id)
    assert.equal(dash.inertiaProps.data.totals.amountMinor, 105500)
    assert.sameMembers(
      dash.inertiaProps.data.topSpenders.map((e: any) => e.employeeId),
      [a.alice.id, a.bob.id, a.carol.id]
    )
    const employees = await client
      .get('/portal/employees?from=2026-01&to=2026-04')
      .withInertia()
      .loginAs(userA)
    assert.notInclude(JSON.stringify(employees.inertiaProps.rows), String(b.customer.name))
    assert.sameMembers(
      employees.inertiaProps.rows.map((r: any) => r.employeeId).filter((id: number) => id),
      [a.alice.id, a.bob.id, a.carol.id]
    )

    const own = await client
      .get(`/portal/employees/${a.alice.id}?from=2026-01&to=2026-04`)
      .withInertia()
      .loginAs(userA)
    own.assertStatus(200)
    assert.equal(own.inertiaProps.detail.totalMinor, 73000)
    assert.equal(own.inertiaProps.statementUrl, `/portal/employees/${a.alice.id}/statement.pdf`)

    const unallocated = await client
      .get('/portal/employees/0?from=2026-01&to=2026-04')
      .withInertia()
      .loginAs(userA)
    unallocated.assertStatus(200)
    assert.equal(unallocated.inertiaProps.detail.totalMinor, 500)
    assert.isNull(unallocated.inertiaProps.statementUrl)

    const invoices = await client.get('/portal/invoices').withInertia().loginAs(userA)
    assert.deepEqual(
      invoices.inertiaProps.invoices.map((i: any) => i.number),
      ['INV-000001']
    )
    const pdf = await client.get(`/portal/invoices/${invoiceA}/pdf`).loginAs(userA)
    pdf.assertStatus(200)
    assert.include((pdf.body() as Buffer).toString(), 'INV-000001')

    const csv = await client.get('/portal/invoices?format=csv').loginAs(userA)
    assert.include(csv.text(), 'INV-000001,2025-12')
    assert.notInclude(csv.text(), 'INV-000002')
    const xlsx = await client.get('/portal?format=xlsx').loginAs(userA)
    xlsx.assertStatus(200)
    const empCsv = await client
      .get('/portal/employees?from=2026-01&to=2026-04&format=csv')
      .loginAs(userA)
    assert.include(empCsv.text(), 'Alice Able,Sales,730.00')
  })

  test("every portal route requested by customer A with customer B's ids answers 404", async ({
    client,
    assert,
  }) => {
    const { b, userA, invoiceB, draftA } = await twoCustomers()
    const urls = [
      `/portal/employees/${b.alice.id}`,
      `/portal/employees/${b.alice.id}?format=csv`,
      `/portal/employees/${b.alice.id}?format=xlsx&table=records`,
      `/portal/employees/${b.bob.id}/statement.pdf`,
      `/portal/employees?departmentId=${b.sales.id}`,
      `/portal/employees?departmentId=${b.sales.id}&format=csv`,
      `/portal/invoices/${invoiceB}/pdf`,
      // A's own draft is not published yet.
      `/portal/invoices/${draftA}/pdf`,
      '/portal/employees/999999',
      '/portal/invoices/999999/pdf',
    ]
    for (const url of urls) {
      const response = await client.get(url).withInertia().loginAs(userA)
      assert.equal(response.status(), 404, url)
    }
    // Staff pages of B (and of A) are hidden from portal users too.
    for (const url of [
      `/customers/${b.customer.id}/insights`,
      `/customers/${b.customer.id}/portal`,
      `/customers/${b.customer.id}/employees/${b.alice.id}/statement.pdf`,
      '/insights',
    ]) {
      const response = await client.get(url).withInertia().loginAs(userA)
      assert.equal(response.status(), 404, url)
    }
  })

  test('staff users do not reach the portal; a portal login without the add-on is refused with a message', async ({
    client,
    assert,
  }) => {
    const { a, userA } = await twoCustomers()
    const staff = await client
      .get('/portal')
      .withInertia()
      .loginAs(await makeUser('admin'))
      .redirects(0)
    assert.include([403, 404], staff.status())

    await setMiAddon(a.customer.id, false, null)
    const refused = await client.get('/portal').withInertia().loginAs(userA).redirects(0)
    refused.assertStatus(302)
    assert.equal(refused.header('location'), '/login')
    refused.assertFlashIncludes('does not subscribe to the management information portal')
  })
})

test.group('portal: invitations', (group) => {
  group.each.setup(() => truncateAll())

  test('an invited customer user sets a password from the emailed link and logs in to the portal', async ({
    client,
    assert,
  }) => {
    const smtp = await startSmtp()
    try {
      const s = await seedCustomer({ miAddon: true, name: 'Alpha Ltd' })
      await seedFourMonths(s)
      const admin = await makeUser('admin')
      const sent = await client
        .post(`/customers/${s.customer.id}/portal/invites`)
        .form({ email: 'Dana@Alpha.example', fullName: 'Dana Dean' })
        .loginAs(admin)
        .withCsrfToken()
        .redirects(0)
      sent.assertStatus(302)
      sent.assertFlashIncludes('Invitation sent to')
      assert.lengthOf(smtp.messages, 1)
      assert.deepEqual(smtp.messages[0].to, ['dana@alpha.example'])
      const raw = smtp.messages[0].raw.replace(/=\r?\n/g, '')
      const token = /\/portal\/invite\/([A-Za-z0-9_-]{20,})/.exec(raw)?.[1]
      assert.exists(token)
      const user = await User.findByOrFail('email', 'dana@alpha.example')
      assert.equal(user.role, 'portal')
      assert.equal(user.customerId, s.customer.id)
      const stored = await db.from('portal_invites').where('user_id', user.id).first()
      assert.notEqual(stored.token_hash, token)

      const form = await client.get(`/portal/invite/${token}`).withInertia()
      assert.isTrue(form.inertiaProps.valid)
      assert.equal(form.inertiaProps.customerName, 'Alpha Ltd')

      const short = await client
        .post(`/portal/invite/${token}`)
        .form({ password: 'short', passwordConfirmation: 'short' })
        .withCsrfToken()
        .redirects(0)
      short.assertStatus(302)
      const accepted = await client
        .post(`/portal/invite/${token}`)
        .form({ password: 'a-long-password-1', passwordConfirmation: 'a-long-password-1' })
        .withCsrfToken()
        .redirects(0)
      accepted.assertStatus(302)
      assert.equal(accepted.header('location'), '/portal')

      // The token works once.
      const again = await client.get(`/portal/invite/${token}`).withInertia()
      assert.isFalse(again.inertiaProps.valid)

      const login = await client
        .post('/login')
        .form({ email: 'dana@alpha.example', password: 'a-long-password-1' })
        .withCsrfToken()
        .redirects(0)
      login.assertStatus(302)
      assert.equal(login.header('location'), '/portal')
      const dash = await client
        .get('/portal?from=2026-01&to=2026-04')
        .withInertia()
        .loginAs(await User.findOrFail(user.id))
      assert.equal(dash.inertiaProps.data.totals.amountMinor, 105500)
    } finally {
      await smtp.close()
    }
  })

  test('staff remove a portal user of this customer only', async ({ client, assert }) => {
    const { a, b, userA, userB } = await twoCustomers()
    const admin = await makeUser('admin')
    const cross = await client
      .post(`/customers/${a.customer.id}/portal/users/${userB.id}/remove`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    cross.assertStatus(404)
    const staff = await client
      .post(`/customers/${a.customer.id}/portal/users/${admin.id}/remove`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    staff.assertStatus(404)
    const ok = await client
      .post(`/customers/${a.customer.id}/portal/users/${userA.id}/remove`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    ok.assertStatus(302)
    assert.isNull(await User.find(userA.id))
    assert.isNotNull(await User.find(userB.id))
    const page = await client.get(`/customers/${b.customer.id}/portal`).withInertia().loginAs(admin)
    assert.deepEqual(
      page.inertiaProps.users.map((u: any) => u.id),
      [userB.id]
    )
  })

  test('no invitations without the add-on; a staff email cannot be invited', async ({
    client,
    assert,
  }) => {
    const s = await seedCustomer({ miAddon: false })
    const admin = await makeUser('admin')
    const refused = await client
      .post(`/customers/${s.customer.id}/portal/invites`)
      .form({ email: 'x@alpha.example' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    refused.assertFlashIncludes('no management-information add-on')
    assert.isNull(await User.findBy('email', 'x@alpha.example'))

    await Customer.query().where('id', s.customer.id).update({ mi_addon: true })
    const taken = await client
      .post(`/customers/${s.customer.id}/portal/invites`)
      .form({ email: admin.email })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    taken.assertFlashIncludes('already belongs to another user')
    assert.equal((await User.findOrFail(admin.id)).role, 'admin')

    // No SMTP server listening: the admin is told, nothing is half-sent silently.
    const down = await client
      .post(`/customers/${s.customer.id}/portal/invites`)
      .form({ email: 'y@alpha.example' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    down.assertFlashIncludes('could not be emailed')
  })
})
