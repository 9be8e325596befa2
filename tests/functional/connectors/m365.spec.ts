import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Connector from '#models/connector'
import { pollConnector } from '#connectors/poll_connector'
import { makeCustomer } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'
import { startGraphServer, type GraphFixture } from '#tests/helpers/peers/graph_server'

const E3 = '05e9a617-0261-4cee-bb44-138d3ef5d965'
const EXO = '4b9405b0-7788-4568-add1-99614e613b69'

const activeCsv = (rows: string[][]) =>
  [
    'Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Has Exchange License,Has OneDrive License,Exchange Last Activity Date,OneDrive Last Activity Date,SharePoint Last Activity Date,Skype For Business Last Activity Date,Yammer Last Activity Date,Teams Last Activity Date,Assigned Products',
    ...rows.map((r) => r.join(',')),
  ].join('\n')
const mailboxCsv = (rows: string[][]) =>
  [
    'Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Created Date,Last Activity Date,Item Count,Storage Used (Byte),Issue Warning Quota (Byte),Prohibit Send Quota (Byte),Prohibit Send/Receive Quota (Byte),Deleted Item Count,Deleted Item Size (Byte),Report Period',
    ...rows.map((r) => r.join(',')),
  ].join('\n')
const onedriveCsv = (rows: string[][]) =>
  [
    'Report Refresh Date,Site URL,Owner Display Name,Is Deleted,Last Activity Date,File Count,Active File Count,Storage Used (Byte),Storage Allocated (Byte),Owner Principal Name,Report Period',
    ...rows.map((r) => r.join(',')),
  ].join('\n')

function fixture(): GraphFixture {
  return {
    tenantId: 'contoso-tenant',
    clientId: 'app-client-id',
    clientSecret: 'graph-client-secret',
    pageSize: 2,
    throttle: { path: '/v1.0/subscribedSkus', retryAfter: 1 },
    users: [
      {
        id: '1',
        userPrincipalName: 'Ann.Smith@contoso.example',
        displayName: 'Ann Smith',
        mail: 'ann.smith@contoso.example',
        department: 'Sales',
        employeeId: 'E1',
        assignedLicenses: [{ skuId: E3 }],
      },
      {
        id: '2',
        userPrincipalName: 'bob@contoso.example',
        displayName: 'Bob Jones',
        mail: null,
        department: 'Finance',
        employeeId: null,
        assignedLicenses: [{ skuId: E3 }, { skuId: EXO }],
      },
      {
        id: '3',
        userPrincipalName: 'room@contoso.example',
        displayName: 'Meeting room',
        mail: null,
        department: null,
        employeeId: null,
        assignedLicenses: [],
      },
    ],
    skus: [
      { skuId: E3, skuPartNumber: 'SPE_E3', consumedUnits: 2, prepaidUnits: { enabled: 5 } },
      {
        skuId: EXO,
        skuPartNumber: 'EXCHANGESTANDARD',
        consumedUnits: 1,
        prepaidUnits: { enabled: 5 },
      },
    ],
    reports: {
      active: activeCsv([
        [
          '2026-07-28',
          'ann.smith@contoso.example',
          'Ann Smith',
          'False',
          '',
          'True',
          'True',
          '2026-07-27',
          '2026-07-20',
          '',
          '',
          '',
          '2026-07-26',
          'MICROSOFT 365 E3',
        ],
        [
          '2026-07-28',
          'bob@contoso.example',
          'Bob Jones',
          'False',
          '',
          'True',
          'True',
          '',
          '',
          '',
          '',
          '',
          '',
          'MICROSOFT 365 E3+EXCHANGE ONLINE (PLAN 1)',
        ],
      ]),
      mailbox: mailboxCsv([
        [
          '2026-07-28',
          'ann.smith@contoso.example',
          'Ann Smith',
          'False',
          '',
          '2024-01-01',
          '2026-07-27',
          '1200',
          '5368709120',
          '',
          '',
          '',
          '0',
          '0',
          '7',
        ],
        [
          '2026-07-28',
          'bob@contoso.example',
          'Bob Jones',
          'False',
          '',
          '2024-01-01',
          '',
          '10',
          '1048576',
          '',
          '',
          '',
          '0',
          '0',
          '7',
        ],
      ]),
      onedrive: onedriveCsv([
        [
          '2026-07-28',
          'https://contoso-my.sharepoint.com/personal/ann',
          'Ann Smith',
          'False',
          '2026-07-20',
          '50',
          '3',
          '2147483648',
          '1099511627776',
          'ann.smith@contoso.example',
          '7',
        ],
      ]),
    },
  }
}

async function connectorFor(
  customerId: number,
  graphUrl: string,
  f: GraphFixture,
  secret = f.clientSecret
) {
  const connector = new Connector()
  connector.merge({
    name: 'Contoso 365',
    type: 'm365',
    transport: 'graph',
    customerId,
    enabled: true,
    settings: {
      tenantId: f.tenantId,
      clientId: f.clientId,
      graphBaseUrl: graphUrl,
      authorityHost: graphUrl,
      skuPrices: { SPE_E3: { price: '32.00', cost: '27.50' } },
      skuNames: { SPE_E3: 'Microsoft 365 E3' },
    },
  })
  connector.credentials = { clientSecret: secret }
  await connector.save()
  return connector
}

test.group('Microsoft 365 connector', (group) => {
  group.each.setup(() => truncateAll())

  test('users, licences, activity and storage from a Graph-compatible server', async ({
    assert,
    cleanup,
  }) => {
    const f = fixture()
    const graph = await startGraphServer(f)
    cleanup(() => graph.close())
    const customer = await makeCustomer()
    const connector = await connectorFor(customer.id, graph.url, f)

    const result = await pollConnector(connector.id)
    assert.equal(result.status, 'ok', result.message)
    // Token endpoint, paging and the throttled request were all exercised.
    const paths = graph.log.map((l) => `${l.status} ${l.method} ${l.path}`)
    assert.include(paths, `200 POST /${f.tenantId}/oauth2/v2.0/token`)
    assert.lengthOf(
      graph.log.filter((l) => l.path === '/v1.0/users'),
      2
    )
    const skuCalls = graph.log.filter((l) => l.path === '/v1.0/subscribedSkus')
    assert.deepEqual(
      skuCalls.map((l) => l.status),
      [429, 200]
    )
    assert.isAtLeast(skuCalls[1].at - skuCalls[0].at, 900)
    assert.deepEqual(result.detail?.retries, [{ url: '/v1.0/subscribedSkus', waitS: 1 }])

    const services = await db
      .from('services')
      .where('customer_id', customer.id)
      .where('kind', 'm365_user')
      .orderBy('identifier')
    assert.deepEqual(
      services.map((s) => s.identifier),
      ['ann.smith@contoso.example', 'bob@contoso.example', 'room@contoso.example']
    )
    const employees = await db.from('employees').where('customer_id', customer.id).orderBy('name')
    assert.includeMembers(
      employees.map((e) => e.name),
      ['Ann Smith', 'Bob Jones']
    )

    const charges = await db
      .from('recurring_charges')
      .where('customer_id', customer.id)
      .orderBy('external_ref')
    assert.lengthOf(charges, 3)
    const annE3 = charges.find((c) => c.external_ref === `${E3}:ann.smith@contoso.example`)
    assert.deepInclude(annE3, {
      origin: 'm365',
      category: 'licence',
      quantity: 1,
      unit_price_e4: 320000,
      unit_cost_e4: 275000,
      description: 'Microsoft 365 E3',
    })
    const ann = employees.find((e) => e.name === 'Ann Smith')
    assert.equal(annE3.employee_id, ann.id)
    assert.equal(annE3.service_id, services[0].id)
    const exo = charges.find((c) => c.external_ref === `${EXO}:bob@contoso.example`)
    assert.deepInclude(exo, { unit_price_e4: 0, description: 'EXCHANGESTANDARD' })
    assert.deepEqual(result.detail?.unpricedSkus, ['EXCHANGESTANDARD'])

    const activity = await db.from('m365_activity').where('customer_id', customer.id).orderBy('upn')
    assert.lengthOf(activity, 2)
    assert.deepInclude(activity[0], {
      upn: 'ann.smith@contoso.example',
      active_products: 'Exchange,OneDrive,Teams',
      mailbox_bytes: 5368709120,
      onedrive_bytes: 2147483648,
    })
    assert.equal(
      String(
        activity[0].last_activity_date instanceof Date
          ? activity[0].last_activity_date.toISOString()
          : activity[0].last_activity_date
      ).slice(0, 10),
      '2026-07-27'
    )
    assert.isNotOk(activity[0].concealed)

    const storage = await db
      .from('usage_records')
      .where('customer_id', customer.id)
      .where('category', 'storage')
      .orderBy('dedupe_key')
    assert.deepEqual(
      storage.map((s) => [s.identifier, s.volume_bytes, s.period, s.description]),
      [
        ['ann.smith@contoso.example', 5368709120, '2026-07', 'Mailbox storage'],
        ['ann.smith@contoso.example', 2147483648, '2026-07', 'OneDrive storage'],
        ['bob@contoso.example', 1048576, '2026-07', 'Mailbox storage'],
      ]
    )
    const imp = await db.from('imports').where('id', result.imports[0].import_id).first()
    assert.deepInclude(imp, { status: 'completed', format: 'm365', rows_imported: 3 })

    // Polling again changes nothing; removing a licence ends its charge.
    const again = await pollConnector(connector.id)
    assert.equal(again.status, 'ok')
    assert.equal(again.imports[0].duplicates, 3)
    assert.lengthOf(await db.from('recurring_charges').where('customer_id', customer.id), 3)
    f.users[1].assignedLicenses = [{ skuId: E3 }]
    await pollConnector(connector.id)
    const after = await db
      .from('recurring_charges')
      .where('customer_id', customer.id)
      .orderBy('external_ref')
    assert.lengthOf(after, 3)
    const ended = after.find((c) => c.external_ref === `${EXO}:bob@contoso.example`)
    assert.isNotNull(ended.ends_on)
    assert.lengthOf(
      after.filter((c) => c.ends_on === null),
      2
    )
  }).timeout(30_000)

  test('concealed reports are flagged; a bad secret fails the poll without leaking it', async ({
    assert,
    cleanup,
  }) => {
    const f = fixture()
    f.throttle = undefined
    f.reports.active = activeCsv([
      [
        '2026-07-28',
        '3F2A9C1D8E7B6A5F4E3D2C1B0A998877',
        '0AF1B2C3D4E5F6',
        'False',
        '',
        'True',
        'True',
        '2026-07-27',
        '',
        '',
        '',
        '',
        '',
        'MICROSOFT 365 E3',
      ],
    ])
    f.reports.mailbox = mailboxCsv([
      [
        '2026-07-28',
        '3F2A9C1D8E7B6A5F4E3D2C1B0A998877',
        '0AF1B2C3D4E5F6',
        'False',
        '',
        '2024-01-01',
        '2026-07-27',
        '1',
        '2048',
        '',
        '',
        '',
        '0',
        '0',
        '7',
      ],
    ])
    f.reports.onedrive = onedriveCsv([])
    const graph = await startGraphServer(f)
    cleanup(() => graph.close())
    const customer = await makeCustomer()
    const connector = await connectorFor(customer.id, graph.url, f)
    const result = await pollConnector(connector.id)
    assert.equal(result.status, 'ok', result.message)
    assert.isTrue(result.detail?.concealed)
    assert.match(result.message, /conceal/)
    const activity = await db.from('m365_activity').where('customer_id', customer.id)
    assert.lengthOf(activity, 1)
    assert.isOk(activity[0].concealed)
    assert.equal(activity[0].upn, '3f2a9c1d8e7b6a5f4e3d2c1b0a998877')

    const bad = await connectorFor(customer.id, graph.url, f, 'not-the-secret')
    const failed = await pollConnector(bad.id)
    assert.equal(failed.status, 'failed')
    assert.match(failed.message, /token request failed/)
    assert.notInclude(failed.message, 'not-the-secret')
    await bad.refresh()
    assert.equal(bad.lastStatus, 'failed')
  }).timeout(30_000)
})
