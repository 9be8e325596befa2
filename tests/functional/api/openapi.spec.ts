import { test } from '@japa/runner'
import { saveSellerDetails } from '#einvoice/seller'
import { saveCustomerEInvoicing } from '#einvoice/customer_details'
import db from '@adonisjs/lucid/services/db'
import Tariff from '#models/tariff'
import { truncateAll } from '#tests/helpers/migrate'
import { binaryResponses } from '#tests/helpers/binary_responses'
import { outbound, ukCdrFile } from '#tests/helpers/uk_cdr'
import { makeBillingFixture } from '../billing/fixtures.js'
import { schemaProblems, userWithToken, writeTmp } from './_support.js'

type Ids = Record<string, number>
type Call = {
  params?: number[]
  query?: Record<string, unknown>
  json?: Record<string, unknown>
  multipart?: { fields: Record<string, string>; file: string }
}

/** How to call each documented operation with real data; `ids` fills as answers come back. */
function examples(ids: Ids, files: Record<string, string>): Record<string, () => Call> {
  const customerBody = (account: string) => ({
    accountNumber: account,
    name: `${account} Ltd`,
    taxRate: '20',
    currency: 'GBP',
    timeZone: 'Europe/London',
    paymentTermsDays: 30,
    billDay: 1,
    recurringBilling: 'arrears',
    billingEmail: 'ap@example.com',
  })
  return {
    'get /customers': () => ({ query: { search: 'Acme', perPage: 10 } }),
    'post /customers': () => ({ json: customerBody('API-NEW') }),
    'get /customers/{id}': () => ({ params: [ids.customer] }),
    'put /customers/{id}': () => ({
      params: [ids.newCustomer],
      json: { ...customerBody('API-NEW'), name: 'Renamed Ltd' },
    }),
    'get /customers/{id}/departments': () => ({ params: [ids.customer] }),
    'post /customers/{id}/departments': () => ({
      params: [ids.customer],
      json: { name: 'Support', costCentre: 'CC900' },
    }),
    'get /departments/{id}': () => ({ params: [ids.department] }),
    'put /departments/{id}': () => ({
      params: [ids.department],
      json: { name: 'Customer support' },
    }),
    'get /customers/{id}/employees': () => ({ params: [ids.customer], query: { perPage: 2 } }),
    'post /customers/{id}/employees': () => ({
      params: [ids.customer],
      json: { name: 'Api Person', email: 'api.person@example.com', departmentId: ids.department },
    }),
    'get /employees/{id}': () => ({ params: [ids.employee] }),
    'put /employees/{id}': () => ({
      params: [ids.employee],
      json: { name: 'Api Person', employeeNumber: 'E-900' },
    }),
    'get /customers/{id}/services': () => ({ params: [ids.customer] }),
    'post /customers/{id}/services': () => ({
      params: [ids.customer],
      json: { kind: 'extension', identifier: '4321', label: 'API desk' },
    }),
    'get /services/{id}': () => ({ params: [ids.service] }),
    'put /services/{id}': () => ({ params: [ids.service], json: { label: 'Front desk' } }),
    'post /services/{id}/assign': () => ({
      params: [ids.service],
      json: { employeeId: ids.employee, from: '2026-11-01' },
    }),
    'post /services/{id}/end': () => ({ params: [ids.service], json: { date: '2026-11-20' } }),
    'post /usage-imports': () => ({
      multipart: {
        fields: { format: 'uk-standard-cdr', customerId: String(ids.newCustomer) },
        file: files.cdr,
      },
    }),
    'get /usage-imports/{id}': () => ({ params: [ids.import] }),
    'get /usage-records': () => ({ query: { customerId: ids.customer, period: '2026-10' } }),
    'get /usage-records/{id}': () => ({ params: [ids.usageRecord] }),
    'get /tariffs': () => ({}),
    'post /tariffs': () => ({
      json: { name: 'API-made tariff', currency: 'GBP', defaultMarkup: '12.5' },
    }),
    'put /tariffs/{id}': () => ({
      params: [ids.newTariff],
      json: { name: 'API-made tariff (renamed)', currency: 'GBP', defaultMarkup: '15' },
    }),
    'delete /tariffs/{id}': () => ({ params: [ids.newTariff] }),
    'get /tariffs/{id}': () => ({ params: [ids.tariff] }),
    'get /tariffs/{id}/rates': () => ({ params: [ids.tariff] }),
    'post /tariffs/{id}/rates': () => ({
      params: [ids.tariff],
      json: {
        prefix: '4420',
        destination: 'London',
        category: 'national',
        peak: '0.02',
        offpeak: '0.01',
        weekend: '0.005',
        effectiveFrom: '2026-01-01',
      },
    }),
    'post /tariffs/{id}/deck': () => ({
      params: [ids.tariff],
      multipart: { fields: {}, file: files.deck },
    }),
    'get /billing-runs': () => ({}),
    'post /billing-runs': () => ({ json: { period: '2026-10', customerIds: [ids.customer] } }),
    'get /billing-runs/{id}': () => ({ params: [ids.run] }),
    'post /invoices/{id}/acknowledge-flags': () => ({
      params: [ids.invoice],
      json: { reason: 'checked by the API test' },
    }),
    'post /billing-runs/{id}/finalize': () => ({
      params: [ids.run],
      json: { allowUnrated: true, acknowledge: 'checked by the API test' },
    }),
    'get /invoices': () => ({ query: { customerId: ids.customer, status: 'finalized' } }),
    'get /invoices/{id}': () => ({ params: [ids.invoice] }),
    'get /invoices/{id}/pdf': () => ({ params: [ids.invoice] }),
    'get /invoices/{id}/ubl': () => ({ params: [ids.invoice] }),
    'post /invoices/{id}/credit-notes': () => ({
      params: [ids.invoice],
      json: { reason: 'Goodwill credit', amount: '5.00' },
    }),
    'get /credit-notes': () => ({ query: { customerId: ids.customer } }),
    'get /credit-notes/{id}': () => ({ params: [ids.creditNote] }),
    'get /credit-notes/{id}/pdf': () => ({ params: [ids.creditNote] }),
    'get /credit-notes/{id}/ubl': () => ({ params: [ids.creditNote] }),
    'get /payments': () => ({}),
    'post /payments': () => ({
      json: {
        customerId: ids.customer,
        receivedOn: '2026-11-15',
        amount: '10.00',
        method: 'bank_transfer',
        reference: 'API-1',
        allocations: [{ invoiceId: ids.invoice, amount: '10.00' }],
      },
    }),
    'get /payments/{id}': () => ({ params: [ids.payment] }),
    'delete /tariffs/{id}/rates/{rateId}': () => ({ params: [ids.tariff, ids.rate] }),
    'delete /assignments/{id}': () => ({ params: [ids.assignment] }),
    'delete /services/{id}': () => ({ params: [ids.service] }),
    'delete /employees/{id}': () => ({ params: [ids.employee] }),
    'delete /departments/{id}': () => ({ params: [ids.department] }),
  }
}

/** Which id each creating operation's answer provides to later ones. */
const PROVIDES: Record<string, (body: any, ids: Ids) => void> = {
  'post /customers': (b, ids) => (ids.newCustomer = b.data.id),
  'post /tariffs': (b, ids) => (ids.newTariff = b.data.id),
  'post /customers/{id}/departments': (b, ids) => (ids.department = b.data.id),
  'post /customers/{id}/employees': (b, ids) => (ids.employee = b.data.id),
  'post /customers/{id}/services': (b, ids) => (ids.service = b.data.id),
  'post /services/{id}/assign': (b, ids) => (ids.assignment = b.data.id),
  'post /usage-imports': (b, ids) => (ids.import = b.data.id),
  'get /usage-records': (b, ids) => (ids.usageRecord = b.data[0].id),
  'post /tariffs/{id}/rates': (b, ids) => (ids.rate = b.data.id),
  'post /billing-runs': (b, ids) => {
    ids.run = b.data.id
    ids.invoice = b.data.invoiceIds[0]
  },
  'post /invoices/{id}/credit-notes': (b, ids) => (ids.creditNote = b.data.id),
  'post /payments': (b, ids) => (ids.payment = b.data.id),
}

test.group('api | the OpenAPI document is true', (group) => {
  binaryResponses(group)
  group.each.setup(() => truncateAll())

  test('every documented operation answers with its documented status and shape', async ({
    client,
    assert,
  }) => {
    const { token } = await userWithToken('billing')
    const f = await makeBillingFixture({ period: '2026-10', unrated: 1 })
    const tariff = await Tariff.create({
      name: 'API tariff',
      currency: 'GBP',
      defaultMarkupBp: 1500,
      kind: 'sell',
    })
    // What a Peppol document needs of both parties (the e-invoicing pages' fields)
    await saveSellerDetails(
      {
        street: '10 Exchange Street',
        city: 'Manchester',
        postcode: 'M2 7EE',
        country: 'GB',
        endpointScheme: '9932',
        endpointId: 'GB123456789',
      },
      null
    )
    await saveCustomerEInvoicing(
      f.customer.id,
      {
        address: { street: '1 High Street', city: 'London', postcode: 'EC1A 1AA', country: 'GB' },
        endpointScheme: '0088',
        endpointId: '5790000435951',
        vatCategory: 'S',
        attachUbl: false,
        rules: [],
      },
      null
    )
    const ids: Ids = { customer: f.customer.id, tariff: tariff.id }
    const files = {
      cdr: await writeTmp(
        'api.csv',
        ukCdrFile([
          outbound('API-NEW', 'R-1'),
          outbound('API-NEW', 'R-2', { 'Call Time': '10:00:00' }),
        ])
      ),
      deck: await writeTmp(
        'deck.csv',
        'prefix,destination,category,peak,offpeak,weekend\n447,UK mobile,mobile,0.08,0.05,0.02\n'
      ),
    }

    const doc = await client.get('/api/v1/openapi.json')
    doc.assertStatus(200)
    const spec = doc.body()
    assert.equal(spec.openapi, '3.1.0')
    const ops: [string, string, any][] = []
    for (const [path, methods] of Object.entries<any>(spec.paths))
      for (const [method, op] of Object.entries<any>(methods)) ops.push([method, path, op])
    const calls = examples(ids, files)
    // The examples cover exactly the documented operations: a new route needs its example here.
    assert.sameMembers(
      ops.map(([m, p]) => `${m} ${p}`),
      Object.keys(calls)
    )

    const order = Object.keys(calls)
    ops.sort((a, b) => order.indexOf(`${a[0]} ${a[1]}`) - order.indexOf(`${b[0]} ${b[1]}`))
    for (const [method, path, op] of ops) {
      const key = `${method} ${path}`
      const call = calls[key]()
      let n = 0
      const url = '/api/v1' + path.replace(/\{\w+\}/g, () => String(call.params![n++]))
      let request = (client as any)[method](url).bearerToken(token)
      if (call.query)
        request = request.qs(
          Object.fromEntries(Object.entries(call.query).filter(([, v]) => v !== undefined))
        )
      if (call.json) request = request.json(call.json)
      if (call.multipart)
        request = request.fields(call.multipart.fields).file('file', call.multipart.file)
      const response = await request
      const [status, documented] = Object.entries<any>(op.responses).find(
        ([code]) => Number(code) < 300
      )!
      assert.equal(
        response.status(),
        Number(status),
        `${key}: ${JSON.stringify(response.body()).slice(0, 300)}`
      )
      const content = documented.content
      if (!content) continue
      if (content['application/xml']) {
        assert.match(response.header('content-type'), /^application\/xml/, key)
        assert.match(response.text(), /^<\?xml[^>]*\?>\s*<(Invoice|CreditNote) /, key)
        continue
      }
      if (content['application/pdf']) {
        assert.equal(response.header('content-type'), 'application/pdf', key)
        assert.equal(Buffer.from(response.body()).subarray(0, 5).toString(), '%PDF-', key)
        continue
      }
      const problems = schemaProblems(
        response.body(),
        content['application/json'].schema,
        spec.components.schemas
      )
      assert.deepEqual(problems, [], key)
      PROVIDES[key]?.(response.body(), ids)
    }

    // The calls went through the one write path: audited as the UI's changes are.
    const actions = (await db.from('audit_logs').select('action')).map((r) => r.action)
    for (const action of [
      'customer.created',
      'department.create',
      'employee.create',
      'service.create',
      'assignment.create',
      'import.uploaded',
      'rate.saved',
      'billing_run.create',
      'billing_run.finalize',
      'credit_note.create',
      'department.delete',
    ]) {
      assert.include(actions, action)
    }
  }).timeout(180_000)
})
