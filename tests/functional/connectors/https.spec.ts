import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import Connector from '#models/connector'
import { HttpsTransport } from '#connectors/transports/https'
import { pollConnector } from '#connectors/poll_connector'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { cleanSlate } from '#tests/helpers/clean_slate'
import { startHttpFileServer } from '#tests/helpers/peers/http_file_server'
import { selfSignedCertificate } from '#tests/helpers/peers/self_signed_cert'
import { cdr } from '#tests/helpers/peers/master_csv'

const root = app.makePath('tmp', `connectors-https-${process.pid}`)
const fileOf = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => cdr(from + i)).join('\n') + '\n'
const basicHeader = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`

/** Downloads the transport's one file and returns its text. */
async function fetchOne(transport: HttpsTransport, name = 'download.csv') {
  const [file] = await transport.list()
  const local = join(root, name)
  await transport.download(file, local)
  return readFile(local, 'utf8')
}

test.group('HTTPS transport against a real HTTPS server (self-signed certificate)', (group) => {
  let tls: { key: string; cert: string }
  group.setup(async () => {
    tls = await selfSignedCertificate()
  })
  cleanSlate(group, root)

  test('with the CA setting: basic and bearer downloads, same-origin redirects keep the credentials', async ({
    assert,
    cleanup,
  }) => {
    const body = fileOf(1, 3)
    const basic = await startHttpFileServer({
      tls,
      files: { '/exports/Master.csv': body },
      basic: { username: 'carrier', password: 'pw-123' },
      redirects: { '/latest.csv': '/exports/Master.csv' },
    })
    const bearer = await startHttpFileServer({
      tls,
      files: { '/Master.csv': body },
      bearer: 'tok-abc',
    })
    cleanup(() => basic.close())
    cleanup(() => bearer.close())
    assert.match(basic.url, /^https:\/\/127\.0\.0\.1:\d+$/)

    const viaBasic = new HttpsTransport(
      { url: `${basic.url}/exports/Master.csv`, caCertificate: tls.cert },
      { username: 'carrier', password: 'pw-123' }
    )
    assert.equal(await fetchOne(viaBasic, 'a.csv'), body)
    assert.deepEqual(basic.requests.at(-1), {
      path: '/exports/Master.csv',
      authorization: basicHeader('carrier', 'pw-123'),
    })

    const viaBearer = new HttpsTransport(
      { url: `${bearer.url}/Master.csv`, caCertificate: tls.cert },
      { token: 'tok-abc' }
    )
    assert.equal(await fetchOne(viaBearer, 'b.csv'), body)
    assert.equal(bearer.requests.at(-1)!.authorization, 'Bearer tok-abc')
    assert.equal(
      await viaBearer.test(),
      `${bearer.host} answered 200, ${Buffer.byteLength(body)} bytes`
    )

    // /latest.csv answers 302 to the file on the same server: followed, still authenticated.
    basic.requests.length = 0
    const redirected = new HttpsTransport(
      { url: `${basic.url}/latest.csv`, caCertificate: tls.cert },
      { username: 'carrier', password: 'pw-123' }
    )
    assert.equal(await fetchOne(redirected, 'c.csv'), body)
    assert.deepEqual(
      basic.requests.map((r) => [r.path, r.authorization]),
      [
        ['/latest.csv', basicHeader('carrier', 'pw-123')],
        ['/exports/Master.csv', basicHeader('carrier', 'pw-123')],
      ]
    )
  }).timeout(30_000)

  test('a redirect to another server does not carry the credentials; more than 5 redirects fail', async ({
    assert,
    cleanup,
  }) => {
    const elsewhere = await startHttpFileServer({ tls, files: { '/cdn/Master.csv': fileOf(1, 2) } })
    cleanup(() => elsewhere.close())
    const hops: Record<string, string> = { '/moved.csv': `${elsewhere.url}/cdn/Master.csv` }
    for (let i = 0; i < 6; i++) hops[`/loop-${i}`] = `/loop-${i + 1}`
    hops['/loop-6'] = '/loop-0'
    const origin = await startHttpFileServer({
      tls,
      files: {},
      bearer: 'tok-secret',
      redirects: hops,
    })
    cleanup(() => origin.close())

    const moved = new HttpsTransport(
      { url: `${origin.url}/moved.csv`, caCertificate: tls.cert },
      { token: 'tok-secret' }
    )
    assert.equal(await fetchOne(moved), fileOf(1, 2))
    assert.equal(origin.requests[0].authorization, 'Bearer tok-secret')
    assert.deepEqual(elsewhere.requests, [{ path: '/cdn/Master.csv', authorization: undefined }])

    origin.requests.length = 0
    const looping = new HttpsTransport(
      { url: `${origin.url}/loop-0`, caCertificate: tls.cert },
      { token: 'tok-secret' }
    )
    await assert.rejects(
      () => fetchOne(looping),
      new RegExp(`^${origin.host.replace(/\./g, '\\.')}: more than 5 redirects$`)
    )
    // The first request and five redirects followed, no more.
    assert.lengthOf(origin.requests, 6)
  }).timeout(30_000)

  test('a wrong password is an error naming the host and the 401', async ({ assert, cleanup }) => {
    const server = await startHttpFileServer({
      tls,
      files: { '/Master.csv': fileOf(1, 1) },
      basic: { username: 'carrier', password: 'pw-123' },
    })
    cleanup(() => server.close())
    const transport = new HttpsTransport(
      { url: `${server.url}/Master.csv`, caCertificate: tls.cert },
      { username: 'carrier', password: 'wrong' }
    )
    await assert.rejects(() => fetchOne(transport), `${server.host} answered 401 Unauthorized`)
    await assert.rejects(() => transport.test(), `${server.host} answered 401 Unauthorized`)
    assert.equal(server.requests[0].authorization, basicHeader('carrier', 'wrong'))
  }).timeout(30_000)

  test('without the CA setting (or with another CA) the certificate is refused with a clear error', async ({
    assert,
    cleanup,
  }) => {
    const server = await startHttpFileServer({
      tls,
      files: { '/Master.csv': fileOf(1, 1) },
      bearer: 'tok-abc',
    })
    cleanup(() => server.close())

    const untrusting = new HttpsTransport({ url: `${server.url}/Master.csv` }, { token: 'tok-abc' })
    const refused = await fetchOne(untrusting).then(
      () => null,
      (e: Error) => e
    )
    assert.instanceOf(refused, Error)
    assert.match(
      refused!.message,
      new RegExp(
        `^${server.host.replace(/\./g, '\\.')}: the server's certificate is not trusted \\(DEPTH_ZERO_SELF_SIGNED_CERT`
      )
    )
    assert.include(refused!.message, 'caCertificate')
    // The TLS handshake failed: no HTTP request reached the server, so the token was never sent.
    assert.lengthOf(server.requests, 0)

    const other = await selfSignedCertificate()
    const wrongCa = new HttpsTransport(
      { url: `${server.url}/Master.csv`, caCertificate: other.cert },
      { token: 'tok-abc' }
    )
    await assert.rejects(
      () => wrongCa.test(),
      /the server's certificate is not trusted .*neither the trusted CA certificate of this connector nor a public authority/
    )

    const garbage = new HttpsTransport(
      { url: `${server.url}/Master.csv`, caCertificate: 'not a certificate' },
      { token: 'tok-abc' }
    )
    await assert.rejects(
      () => garbage.test(),
      /the trusted CA certificate is not a PEM certificate/
    )
    const broken = new HttpsTransport(
      {
        url: `${server.url}/Master.csv`,
        caCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
      },
      { token: 'tok-abc' }
    )
    await assert.rejects(
      () => broken.test(),
      /certificate 1 of the trusted CA setting cannot be read/
    )
    assert.lengthOf(server.requests, 0)
  }).timeout(30_000)

  test('a connector poll over HTTPS imports the file once; without the CA the poll fails and is recorded', async ({
    assert,
    cleanup,
  }) => {
    const server = await startHttpFileServer({
      tls,
      files: { '/exports/Master.csv': fileOf(1, 4) },
      basic: { username: 'carrier', password: 'pw-123' },
    })
    cleanup(() => server.close())
    const customer = await makeCustomer()
    const connector = new Connector()
    connector.merge({
      name: 'Carrier HTTPS',
      type: 'asterisk',
      transport: 'https',
      customerId: customer.id,
      enabled: true,
      settings: { url: `${server.url}/exports/Master.csv` },
    })
    connector.credentials = { username: 'carrier', password: 'pw-123' }
    await connector.save()

    const refused = await pollConnector(connector.id)
    assert.equal(refused.status, 'failed')
    assert.match(refused.message, /certificate is not trusted/)
    await connector.refresh()
    assert.equal(connector.lastStatus, 'failed')
    assert.match(connector.lastError!, /certificate is not trusted/)
    assert.notInclude(connector.lastError!, 'pw-123')
    assert.equal(Number((await db.from('imports').count('* as n'))[0].n), 0)

    connector.settings = { ...connector.settings, caCertificate: tls.cert }
    await connector.save()
    const ok = await pollConnector(connector.id)
    assert.equal(ok.status, 'ok', ok.message)
    assert.containsSubset(ok.imports, [{ status: 'completed', read: 4, imported: 4, rejected: 0 }])
    const records = await db
      .from('usage_records')
      .where('source', `connector:${connector.id}`)
      .orderBy('dedupe_key')
      .select('dedupe_key', 'duration_s')
    assert.deepEqual(
      records.map((r) => r.dedupe_key),
      [
        'ast:1751360400.1|2026-07-01 08:00:00|2001',
        'ast:1751360400.2|2026-07-01 08:00:00|2002',
        'ast:1751360400.3|2026-07-01 08:00:00|2003',
        'ast:1751360400.4|2026-07-01 08:00:00|2004',
      ]
    )
    assert.deepEqual(
      records.map((r) => Number(r.duration_s)),
      [60, 60, 60, 60]
    )
    const imp = await db.from('imports').where('connector_id', connector.id).first()
    assert.equal(imp.source_name, 'Master.csv')
    await connector.refresh()
    assert.equal(connector.lastStatus, 'ok')

    // The same file again: the same SHA-256, recorded as skipped.
    const again = await pollConnector(connector.id)
    assert.containsSubset(again.imports, [{ status: 'skipped', imported: 0 }])
    assert.lengthOf(await db.from('usage_records').where('source', `connector:${connector.id}`), 4)
  }).timeout(30_000)

  test('the connector form offers the CA as a textarea, keeps a valid one and names the field for a bad one', async ({
    assert,
    client,
  }) => {
    const admin = await makeUser('admin')
    const customer = await makeCustomer()
    const form = await client.get('/connectors/new').withInertia().loginAs(admin)
    form.assertStatus(200)
    const https = form.inertiaProps.transports.find((t: any) => t.name === 'https')
    assert.containsSubset(https.settings, [
      { key: 'url' },
      { key: 'caCertificate', type: 'textarea' },
    ])

    const base = {
      name: 'Carrier HTTPS',
      type: 'asterisk',
      transport: 'https',
      customerId: customer.id,
      enabled: true,
      credentials: { token: 't' },
    }
    const bad = await client
      .post('/connectors')
      .json({
        ...base,
        settings: { url: 'https://files.example/Master.csv', caCertificate: 'hello' },
      })
      .header('referer', '/connectors/new')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    bad.assertStatus(302)
    bad.assertFlashIncludes('settings.caCertificate')
    bad.assertFlashIncludes('not a PEM certificate')
    assert.isNull(await Connector.findBy('name', 'Carrier HTTPS'))

    const good = await client
      .post('/connectors')
      .json({
        ...base,
        settings: { url: 'https://files.example/Master.csv', caCertificate: tls.cert },
      })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    good.assertStatus(302)
    const saved = await Connector.findByOrFail('name', 'Carrier HTTPS')
    assert.equal(saved.settings?.caCertificate, tls.cert)
    const edit = await client.get(`/connectors/${saved.id}/edit`).withInertia().loginAs(admin)
    assert.equal(edit.inertiaProps.connector.settings.caCertificate, tls.cert)
  }).timeout(30_000)
})
