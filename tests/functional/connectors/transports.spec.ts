import { test } from '@japa/runner'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import Connector from '#models/connector'
import { pollConnector, pollDueConnectors } from '#connectors/poll_connector'
import { makeCustomer } from '#tests/helpers/factories'
import { cleanSlate } from '#tests/helpers/clean_slate'
import { startSftpServer } from '#tests/helpers/peers/sftp_server'
import { startHttpFileServer } from '#tests/helpers/peers/http_file_server'
import { selfSignedCertificate } from '#tests/helpers/peers/self_signed_cert'
import { cdr } from '#tests/helpers/peers/master_csv'

const root = app.makePath('tmp', `connectors-transports-${process.pid}`)
const fileOf = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => cdr(from + i)).join('\n') + '\n'
const records = async (connectorId: number) =>
  Number(
    (await db.from('usage_records').where('source', `connector:${connectorId}`).count('* as n'))[0]
      .n
  )

test.group('Connector transports', (group) => {
  cleanSlate(group, root)

  test('SFTP: polls, downloads, imports and moves files to processed/', async ({
    assert,
    cleanup,
  }) => {
    const served = join(root, 'sftp')
    await mkdir(join(served, 'cdr'), { recursive: true })
    await writeFile(join(served, 'cdr', 'Master-1.csv'), fileOf(1, 5))
    await writeFile(join(served, 'cdr', 'Master-2.csv'), fileOf(4, 8))
    await writeFile(join(served, 'cdr', 'notes.txt'), 'not a cdr')
    const server = await startSftpServer(served)
    cleanup(() => server.close())
    const customer = await makeCustomer()
    const connector = new Connector()
    connector.merge({
      name: 'PBX',
      type: 'asterisk',
      transport: 'sftp',
      customerId: customer.id,
      enabled: true,
      schedule: '15m',
      settings: {
        host: '127.0.0.1',
        port: server.port,
        username: server.username,
        path: '/cdr',
        pattern: 'Master*.csv',
      },
    })
    connector.credentials = { password: server.password }
    await connector.save()

    const result = await pollConnector(connector.id)
    assert.equal(result.status, 'ok', result.message)
    assert.deepEqual(
      result.imports.map((i) => [i.status, i.imported, i.duplicates]),
      [
        ['completed', 5, 0],
        ['completed', 3, 2],
      ]
    )
    assert.equal(await records(connector.id), 8)
    assert.deepEqual((await readdir(join(served, 'cdr'))).sort(), ['notes.txt', 'processed'])
    assert.deepEqual((await readdir(join(served, 'cdr', 'processed'))).sort(), [
      'Master-1.csv',
      'Master-2.csv',
    ])
    await connector.refresh()
    assert.equal(connector.lastStatus, 'ok')
    assert.isNull(connector.lastError)
    const run = await db
      .from('job_runs')
      .where('job', 'connectors:poll')
      .orderBy('id', 'desc')
      .first()
    assert.equal(run.status, 'succeeded')
    assert.notInclude(JSON.stringify(run), server.password)

    // Nothing new on the next poll.
    const again = await pollConnector(connector.id)
    assert.equal(again.status, 'idle')
  }).timeout(30_000)

  test('SFTP: a host key that does not match the pinned fingerprint is refused before logging in', async ({
    assert,
    cleanup,
  }) => {
    const served = join(root, 'sftp-pinned')
    await mkdir(served, { recursive: true })
    await writeFile(join(served, 'Master.csv'), fileOf(1, 2))
    const server = await startSftpServer(served)
    cleanup(() => server.close())
    const customer = await makeCustomer()
    const connector = new Connector()
    const settings = { host: '127.0.0.1', port: server.port, username: server.username, path: '/' }
    connector.merge({
      name: 'PBX',
      type: 'asterisk',
      transport: 'sftp',
      customerId: customer.id,
      enabled: true,
      schedule: '1h',
      settings: {
        ...settings,
        hostFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      },
    })
    connector.credentials = { password: server.password }
    await connector.save()

    const refused = await pollConnector(connector.id)
    assert.equal(refused.status, 'failed')
    assert.match(refused.message, /host key .*does not match.*SHA256:AAAA/)
    assert.include(refused.message, server.fingerprint)
    assert.deepEqual(server.authAttempts, [], 'no credentials were sent to an unverified server')
    assert.equal(await records(connector.id), 0)

    connector.merge({ settings: { ...settings, hostFingerprint: server.fingerprint } })
    await connector.save()
    const pinned = await pollConnector(connector.id)
    assert.equal(pinned.status, 'ok', pinned.message)
    assert.equal(await records(connector.id), 2)
  }).timeout(30_000)

  test('SFTP: a wrong password is recorded on the connector and in job runs, and the next poll retries', async ({
    assert,
    cleanup,
  }) => {
    const served = join(root, 'sftp2')
    await mkdir(served, { recursive: true })
    await writeFile(join(served, 'Master.csv'), fileOf(1, 2))
    const server = await startSftpServer(served)
    cleanup(() => server.close())
    const customer = await makeCustomer()
    const connector = new Connector()
    connector.merge({
      name: 'PBX',
      type: 'asterisk',
      transport: 'sftp',
      customerId: customer.id,
      enabled: true,
      schedule: '1h',
      settings: { host: '127.0.0.1', port: server.port, username: server.username, path: '/' },
    })
    connector.credentials = { password: 'wrong-password' }
    await connector.save()

    const failed = await pollConnector(connector.id)
    assert.equal(failed.status, 'failed')
    await connector.refresh()
    assert.equal(connector.lastStatus, 'failed')
    assert.match(connector.lastError!, /authentication|auth/i)
    assert.notInclude(connector.lastError!, 'wrong-password')
    const run = await db
      .from('job_runs')
      .where('job', 'connectors:poll')
      .orderBy('id', 'desc')
      .first()
    assert.equal(run.status, 'failed')
    assert.match(run.error, /auth/i)

    // Not due again until an interval has passed; then retried and succeeds once fixed.
    assert.lengthOf(await pollDueConnectors(new Date()), 0)
    connector.credentials = { password: server.password }
    await connector.save()
    const later = DateTime.utc().plus({ hours: 1, minutes: 1 }).toJSDate()
    const due = await pollDueConnectors(later)
    assert.lengthOf(due, 1)
    assert.equal(due[0].status, 'ok')
    assert.equal(await records(connector.id), 2)
    // A second scheduler asking for the same slot gets nothing.
    await db.from('connectors').where('id', connector.id).update({ last_polled_at: null })
    const run2 = await pollDueConnectors(later)
    assert.equal(run2[0]?.status, 'idle')
  }).timeout(30_000)

  test('HTTPS transport with basic and bearer auth; an unchanged file is skipped', async ({
    assert,
    cleanup,
  }) => {
    // Credentials only ever go over https:// (issue 13, M5): the peers speak TLS.
    const tls = await selfSignedCertificate()
    const basic = await startHttpFileServer({
      tls,
      files: { '/exports/Master.csv': fileOf(1, 3) },
      basic: { username: 'carrier', password: 'pw-123' },
    })
    const bearer = await startHttpFileServer({
      tls,
      files: { '/Master.csv': fileOf(10, 11) },
      bearer: 'tok-abc',
    })
    cleanup(() => basic.close())
    cleanup(() => bearer.close())
    const customer = await makeCustomer()
    const a = new Connector()
    a.merge({
      name: 'A',
      type: 'asterisk',
      transport: 'https',
      customerId: customer.id,
      enabled: true,
      settings: { url: `${basic.url}/exports/Master.csv`, caCertificate: tls.cert },
    })
    a.credentials = { username: 'carrier', password: 'pw-123' }
    await a.save()
    const b = new Connector()
    b.merge({
      name: 'B',
      type: 'asterisk',
      transport: 'https',
      customerId: customer.id,
      enabled: true,
      settings: { url: `${bearer.url}/Master.csv`, caCertificate: tls.cert },
    })
    b.credentials = { token: 'tok-abc' }
    await b.save()

    const ra = await pollConnector(a.id)
    assert.equal(ra.status, 'ok', ra.message)
    assert.equal(ra.imports[0].imported, 3)
    assert.equal(
      basic.requests[0].authorization,
      `Basic ${Buffer.from('carrier:pw-123').toString('base64')}`
    )
    const again = await pollConnector(a.id)
    assert.equal(again.imports[0].status, 'skipped')
    const rb = await pollConnector(b.id)
    assert.equal(rb.imports[0].imported, 2)
    assert.equal(bearer.requests[0].authorization, 'Bearer tok-abc')

    b.credentials = { token: 'nope' }
    await b.save()
    const denied = await pollConnector(b.id)
    assert.equal(denied.status, 'failed')
    assert.match(denied.message, /401/)
  }).timeout(30_000)

  test('drop folder: bad files go to failed/, good ones to processed/', async ({ assert }) => {
    const inbox = join(root, 'inbox')
    await mkdir(inbox, { recursive: true })
    await writeFile(join(inbox, 'a.csv'), fileOf(1, 2))
    await writeFile(join(inbox, 'b.csv'), 'x,y\nz,w\n')
    const customer = await makeCustomer()
    const connector = await Connector.create({
      name: 'Drop',
      type: 'asterisk',
      transport: 'folder',
      customerId: customer.id,
      enabled: true,
      settings: { path: inbox, pattern: '*.csv' },
    })
    const result = await pollConnector(connector.id)
    assert.equal(result.status, 'partial')
    assert.match(result.message, /b\.csv: every row has the wrong shape/)
    assert.deepEqual(await readdir(join(inbox, 'processed')), ['a.csv'])
    assert.deepEqual(await readdir(join(inbox, 'failed')), ['b.csv'])
    await connector.refresh()
    assert.equal(connector.lastStatus, 'partial')
    assert.match(connector.lastError!, /b\.csv/)
  })

  test('node ace connectors:poll --json', async ({ assert }) => {
    const inbox = join(root, 'inbox-cli')
    await mkdir(inbox, { recursive: true })
    await writeFile(join(inbox, 'a.csv'), fileOf(1, 3))
    const customer = await makeCustomer()
    const connector = await Connector.create({
      name: 'Drop',
      type: 'asterisk',
      transport: 'folder',
      customerId: customer.id,
      enabled: true,
      settings: { path: inbox },
    })
    const { execFile } = await import('node:child_process')
    const { promisify } = await import('node:util')
    const { stdout } = await promisify(execFile)(
      'node',
      ['ace', 'connectors:poll', '--connector', String(connector.id), '--json'],
      { cwd: app.makePath(), env: { ...process.env, NODE_ENV: 'test' } }
    )
    const out = JSON.parse(stdout)
    assert.containsSubset(out, {
      connectors: [
        {
          connector_id: connector.id,
          status: 'ok',
          imports: [{ status: 'completed', read: 3, imported: 3 }],
        },
      ],
    })
  }).timeout(60_000)
})
