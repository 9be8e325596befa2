import { test } from '@japa/runner'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { readFile } from 'node:fs/promises'
import app from '@adonisjs/core/services/app'
import Connector from '#models/connector'
import { HttpsTransport } from '#connectors/transports/https'
import { pollConnector } from '#connectors/poll_connector'
import {
  assertOutboundAllowed,
  blockedReason,
  guardedAgent,
  guardedLookup,
  OutboundBlockedError,
} from '#lib/net_guard'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { cleanSlate } from '#tests/helpers/clean_slate'
import { startHttpFileServer } from '#tests/helpers/peers/http_file_server'
import { selfSignedCertificate } from '#tests/helpers/peers/self_signed_cert'

/**
 * Issue 13, H2 and M5. The tests' peers listen on 127.0.0.1, which .env.test allow-lists; an
 * "internal service" is the same kind of server reached by a name or form that is not on the list
 * (localhost, [::ffff:127.0.0.1]) — exactly what a connector URL could name on a real server.
 */
const root = app.makePath('tmp', `security-outbound-${process.pid}`)
const INTERNAL_BODY = 'root:x:0:0:internal-secret-body'

async function internalService() {
  const hits: string[] = []
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '')
    res.writeHead(500, { 'content-type': 'text/plain' })
    res.end(INTERNAL_BODY)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return { port, hits, close: () => new Promise<void>((r) => server.close(() => r())) }
}

test.group('Security H2: outbound requests never reach internal addresses', (group) => {
  cleanSlate(group, root)

  test('every internal range is refused, also as IPv4 inside IPv6; public addresses pass', async ({
    assert,
  }) => {
    const internal = [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '::ffff:10.1.1.1',
    ]
    for (const ip of internal) assert.isNotNull(blockedReason(ip), ip)
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8'])
      assert.isNull(blockedReason(ip), ip)
    for (const url of [
      'http://localhost/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://2130706434/',
      'http://0x7f.0.0.2/',
      'http://10.0.0.5:3306/',
      'file:///etc/passwd',
    ]) {
      await assert.rejects(
        () => assertOutboundAllowed(url),
        /not fetched|does not fetch from internal networks/
      )
    }
    await assertOutboundAllowed('http://127.0.0.1:1/') // allow-listed by .env.test
  })

  test('a connector URL naming an internal service: nothing is fetched and the error echoes no body', async ({
    assert,
    cleanup,
  }) => {
    const service = await internalService()
    cleanup(() => service.close())
    const customer = await makeCustomer()
    for (const url of [
      `http://localhost:${service.port}/`,
      `http://[::ffff:127.0.0.1]:${service.port}/`,
    ]) {
      const connector = await Connector.create({
        name: `C ${url}`,
        type: 'asterisk',
        transport: 'https',
        customerId: customer.id,
        enabled: true,
        settings: { url },
      })
      const result = await pollConnector(connector.id)
      assert.equal(result.status, 'failed', url)
      assert.match(result.message, /loopback/, url)
      assert.notInclude(result.message, INTERNAL_BODY)
      await assert.rejects(
        () => new HttpsTransport({ url }, {}).test(),
        /does not fetch from internal networks/
      )
    }
    assert.deepEqual(service.hits, [])
  }).timeout(30_000)

  test('a redirect from an allowed server to an internal address is refused before connecting', async ({
    assert,
    cleanup,
  }) => {
    const service = await internalService()
    cleanup(() => service.close())
    const targets = [
      `http://localhost:${service.port}/x`,
      'http://169.254.169.254/latest/meta-data/',
      `http://[::ffff:7f00:1]:${service.port}/`,
    ]
    const redirects = Object.fromEntries(targets.map((t, i) => [`/r${i}.csv`, t]))
    const origin = await startHttpFileServer({ files: {}, redirects })
    cleanup(() => origin.close())
    for (let i = 0; i < targets.length; i++) {
      const transport = new HttpsTransport({ url: `${origin.url}/r${i}.csv` }, {})
      const [file] = await transport.list()
      await assert.rejects(
        () => transport.download(file, join(root, 'x.csv')),
        /does not fetch from internal networks/
      )
    }
    assert.deepEqual(service.hits, [])
  }).timeout(30_000)

  test('connect-time check: the guarded agent and lookup refuse internal answers even without the pre-check (DNS rebinding)', async ({
    assert,
    cleanup,
  }) => {
    const service = await internalService()
    cleanup(() => service.close())
    const viaAgent = (url: string) =>
      new Promise<number>((resolve, reject) => {
        http
          .get(url, { agent: guardedAgent(url) }, (res) => resolve(res.statusCode ?? 0))
          .on('error', reject)
      })
    await assert.rejects(() => viaAgent(`http://localhost:${service.port}/`), /loopback/)
    await assert.rejects(() => viaAgent(`http://[::ffff:127.0.0.1]:${service.port}/`), /loopback/)
    const looked = await new Promise<Error | null>((resolve) =>
      guardedLookup('localhost', {}, (error) => resolve(error))
    )
    assert.instanceOf(looked, OutboundBlockedError)
    assert.deepEqual(service.hits, [])
    // The allow-listed literal still connects through the same agent.
    assert.equal(await viaAgent(`http://127.0.0.1:${service.port}/`), 500)
    assert.lengthOf(service.hits, 1)
  })

  test('saving a connector with an internal IP address is a validation error on the URL field', async ({
    client,
    assert,
  }) => {
    const billing = await makeUser('billing')
    const customer = await makeCustomer()
    const response = await client
      .post('/connectors')
      .json({
        name: 'Meta',
        type: 'asterisk',
        transport: 'https',
        customerId: customer.id,
        enabled: true,
        settings: { url: 'http://169.254.169.254/latest/meta-data/' },
      })
      .header('referer', '/connectors/new')
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertFlashIncludes('settings.url')
    response.assertFlashIncludes('link-local')
    assert.isNull(await Connector.findBy('name', 'Meta'))
  })
})

test.group('Security H2: the Microsoft Graph connector is guarded too', (group) => {
  cleanSlate(group, root)

  test('a Graph base URL or authority host naming an internal service fetches nothing', async ({
    assert,
    cleanup,
  }) => {
    const service = await internalService()
    cleanup(() => service.close())
    const customer = await makeCustomer()
    const internal = `http://localhost:${service.port}`
    for (const settings of [
      { graphBaseUrl: internal, authorityHost: internal },
      { graphBaseUrl: 'https://graph.microsoft.com', authorityHost: internal },
    ]) {
      const connector = new Connector()
      connector.merge({
        name: `M365 ${JSON.stringify(settings)}`,
        type: 'm365',
        transport: 'graph',
        customerId: customer.id,
        enabled: true,
        settings: { tenantId: 'contoso', clientId: 'app', ...settings },
      })
      connector.credentials = { clientSecret: 'graph-secret' }
      await connector.save()
      const result = await pollConnector(connector.id)
      assert.equal(result.status, 'failed')
      assert.match(result.message, /does not fetch from internal networks|loopback/)
      assert.notInclude(result.message, INTERNAL_BODY)
    }
    assert.deepEqual(service.hits, [])
  }).timeout(30_000)
})

test.group('Security M5: credentials never go over plain http://', (group) => {
  cleanSlate(group, root)

  test('basic or bearer credentials to an http:// URL: refused before any request, and on save', async ({
    assert,
    client,
    cleanup,
  }) => {
    const plain = await startHttpFileServer({
      files: { '/Master.csv': 'x' },
      basic: { username: 'u', password: 'p' },
    })
    cleanup(() => plain.close())
    for (const credentials of [{ username: 'u', password: 'p' }, { token: 'tok' }]) {
      const transport = new HttpsTransport({ url: `${plain.url}/Master.csv` }, credentials)
      const [file] = await transport.list()
      await assert.rejects(
        () => transport.download(file, join(root, 'a.csv')),
        /only sent over https:\/\//
      )
    }
    assert.deepEqual(plain.requests, [])

    const billing = await makeUser('billing')
    const customer = await makeCustomer()
    const response = await client
      .post('/connectors')
      .json({
        name: 'Plain',
        type: 'asterisk',
        transport: 'https',
        customerId: customer.id,
        enabled: true,
        settings: { url: 'http://files.supplier.example/Master.csv' },
        credentials: { username: 'u', password: 'p' },
      })
      .header('referer', '/connectors/new')
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertFlashIncludes('only sent over https://')
    assert.isNull(await Connector.findBy('name', 'Plain'))
  })

  test('over https:// the same credentials are sent', async ({ assert, cleanup }) => {
    const tls = await selfSignedCertificate()
    const secure = await startHttpFileServer({
      tls,
      files: { '/Master.csv': 'x\n' },
      basic: { username: 'u', password: 'p' },
    })
    cleanup(() => secure.close())
    const transport = new HttpsTransport(
      { url: `${secure.url}/Master.csv`, caCertificate: tls.cert },
      { username: 'u', password: 'p' }
    )
    const [file] = await transport.list()
    await transport.download(file, join(root, 'b.csv'))
    assert.equal(await readFile(join(root, 'b.csv'), 'utf8'), 'x\n')
  }).timeout(30_000)
})
