import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { createRun, finalizeRun } from '#billing/runs'
import { createCreditNote } from '#billing/credit_notes'
import { WebhookError, createEndpoint, replayDelivery, sendTestEvent } from '#webhooks/endpoints'
import { deliverDueWebhooks } from '#webhooks/sender'
import { verifySignatureHeader } from '#webhooks/signing'
import { makeBillingFixture } from '../billing/fixtures.js'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import { importFile } from '#connectors/import_file'
import { AsteriskParser } from '#connectors/asterisk'
import { makeCustomer } from '#tests/helpers/factories'
import { cdr } from '#tests/helpers/peers/master_csv'
import { startReceiver } from '#tests/helpers/peers/webhook_receiver'

test.group('webhooks', (group) => {
  group.each.setup(async () => {
    await truncateAll()
    const before = process.env.OUTBOUND_ALLOW_HOSTS
    process.env.OUTBOUND_ALLOW_HOSTS = '127.0.0.1'
    return () => {
      if (before === undefined) delete process.env.OUTBOUND_ALLOW_HOSTS
      else process.env.OUTBOUND_ALLOW_HOSTS = before
    }
  })

  test('finalizing a run posts one signed invoice.finalized per invoice, once, with the invoice amounts', async ({
    assert,
    cleanup,
  }) => {
    const receiver = await startReceiver()
    cleanup(receiver.close)
    const { secret } = await createEndpoint(
      { url: receiver.url, events: ['invoice.finalized'] },
      null
    )
    const f = await makeBillingFixture()
    const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    const { invoices } = await finalizeRun(run.id)

    const first = await deliverDueWebhooks()
    const again = await deliverDueWebhooks()
    assert.equal(first.delivered, 1)
    assert.equal(again.delivered + again.failed + again.retrying, 0, 'nothing is sent twice')
    assert.lengthOf(receiver.received, 1)

    const [message] = receiver.received
    assert.equal(message.headers['tollgate-event'], 'invoice.finalized')
    assert.isTrue(
      verifySignatureHeader(
        secret,
        String(message.headers['tollgate-signature']),
        message.body,
        Math.floor(Date.now() / 1000)
      )
    )
    assert.isFalse(
      verifySignatureHeader(
        'whsec_other',
        String(message.headers['tollgate-signature']),
        message.body,
        Math.floor(Date.now() / 1000)
      )
    )
    assert.isFalse(
      verifySignatureHeader(
        secret,
        String(message.headers['tollgate-signature']),
        message.body.replace('"total_minor":', '"total_minor":1'),
        Math.floor(Date.now() / 1000)
      )
    )
    const body = JSON.parse(message.body)
    assert.equal(body.type, 'invoice.finalized')
    assert.equal(body.data.invoice.number, invoices[0].number)
    assert.equal(body.data.invoice.total_minor, invoices[0].totalMinor)
    assert.equal(
      body.data.invoice.subtotal_minor + body.data.invoice.tax_minor,
      body.data.invoice.total_minor
    )
    assert.equal(body.data.customer.account_number, f.customer.accountNumber)
    const delivery = await db.from('webhook_deliveries').firstOrFail()
    assert.equal(delivery.status, 'delivered')
    assert.equal(Number(delivery.response_status), 204)
  })

  test('a receiver that fails is retried with backoff until it answers; one that keeps failing ends failed', async ({
    assert,
    cleanup,
  }) => {
    const receiver = await startReceiver([500, 503, 200])
    cleanup(receiver.close)
    await createEndpoint({ url: receiver.url, events: ['credit_note.issued'] }, null)
    const f = await makeBillingFixture()
    const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    const { invoices } = await finalizeRun(run.id)
    await createCreditNote({ invoiceId: invoices[0].id, reason: 'Goodwill', netMinor: 100 })

    const t0 = DateTime.utc()
    assert.equal((await deliverDueWebhooks({ now: t0 })).retrying, 1)
    const queued = await db.from('webhook_deliveries').firstOrFail()
    assert.equal(queued.status, 'queued')
    assert.equal(queued.last_error, 'The receiver answered HTTP 500')
    assert.equal(
      (await deliverDueWebhooks({ now: t0.plus({ seconds: 30 }) })).outcomes.length,
      0,
      'not before its backoff'
    )
    assert.equal((await deliverDueWebhooks({ now: t0.plus({ minutes: 2 }) })).retrying, 1)
    assert.equal((await deliverDueWebhooks({ now: t0.plus({ minutes: 8 }) })).delivered, 1)
    assert.lengthOf(receiver.received, 3)
    assert.deepEqual(
      new Set(receiver.received.map((r) => JSON.parse(r.body).id)).size,
      1,
      'the same event each time'
    )
    const done = await db.from('webhook_deliveries').firstOrFail()
    assert.equal(Number(done.attempts), 3)
    assert.isNull(done.last_error)

    const failing = await startReceiver([500, 500, 500, 500, 500, 500])
    cleanup(failing.close)
    const endpoint = await createEndpoint(
      { url: failing.url, events: ['credit_note.issued'] },
      null
    )
    await createCreditNote({ invoiceId: invoices[0].id, reason: 'Second', netMinor: 100 })
    let now = t0.plus({ minutes: 10 })
    for (let i = 0; i < 6; i++) {
      await deliverDueWebhooks({ now })
      now = now.plus({ hours: 13 })
    }
    const last = await db
      .from('webhook_deliveries')
      .where('endpoint_id', endpoint.endpoint.id)
      .firstOrFail()
    assert.equal(last.status, 'failed')
    assert.equal(Number(last.attempts), 6)
    assert.lengthOf(failing.received, 6)
  })

  test('internal addresses are refused on save and again at send time; nothing reaches them', async ({
    assert,
    cleanup,
  }) => {
    delete process.env.OUTBOUND_ALLOW_HOSTS
    for (const url of [
      'https://10.0.0.1/hook',
      'https://169.254.169.254/latest',
      'https://[::1]:8443/x',
      'https://127.0.0.1:3306/',
    ]) {
      const error = await createEndpoint({ url, events: ['import.failed'] }, null).catch((e) => e)
      assert.instanceOf(error, WebhookError, url)
      assert.equal(error.field, 'url')
      assert.match(error.message, /internal networks|private|loopback|link-local/i, url)
    }
    const plain = await createEndpoint(
      { url: 'http://example.com/hook', events: ['import.failed'] },
      null
    ).catch((e) => e)
    assert.match(plain.message, /https:\/\//)

    const receiver = await startReceiver()
    cleanup(receiver.close)
    process.env.OUTBOUND_ALLOW_HOSTS = '127.0.0.1'
    const { endpoint } = await createEndpoint(
      { url: receiver.url, events: ['import.failed'] },
      null
    )
    delete process.env.OUTBOUND_ALLOW_HOSTS
    const outcome = await sendTestEvent(endpoint.id, null)
    assert.equal(outcome?.status, 'failed')
    assert.match(outcome!.error!, /internal networks/)
    assert.lengthOf(receiver.received, 0)
  })

  test('a delivery can be replayed: the same event again, a new delivery id, the original kept', async ({
    assert,
    cleanup,
  }) => {
    const receiver = await startReceiver()
    cleanup(receiver.close)
    const { endpoint } = await createEndpoint(
      { url: receiver.url, events: ['import.completed'] },
      null
    )
    const first = await sendTestEvent(endpoint.id, null)
    assert.equal(first?.status, 'delivered')
    const replay = await replayDelivery(first!.deliveryId, null)
    assert.equal(replay.status, 'delivered')
    assert.notEqual(replay.deliveryId, first!.deliveryId)
    assert.lengthOf(receiver.received, 2)
    assert.equal(JSON.parse(receiver.received[0].body).id, JSON.parse(receiver.received[1].body).id)
    assert.notEqual(
      receiver.received[0].headers['tollgate-delivery'],
      receiver.received[1].headers['tollgate-delivery']
    )
    const rows = await db.from('webhook_deliveries').orderBy('id')
    assert.lengthOf(rows, 2)
    assert.equal(Number(rows[1].replay_of), first!.deliveryId)
  })

  test('staff add an endpoint in the UI and see its secret once; viewers cannot; the secret never reaches the page again', async ({
    client,
    assert,
    cleanup,
  }) => {
    const receiver = await startReceiver()
    cleanup(receiver.close)
    const admin = await makeUser('admin')
    const viewer = await makeUser('viewer')
    const refused = await client
      .post('/webhooks')
      .form({ url: receiver.url, events: ['invoice.paid'] })
      .loginAs(viewer)
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(403)

    const created = await client
      .post('/webhooks')
      .json({
        url: receiver.url,
        description: 'Accounts',
        events: ['invoice.paid', 'invoice.overdue'],
      })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    created.assertStatus(302)
    const location = String(created.header('location'))
    assert.match(location, /^\/webhooks\/\d+$/)
    const secret = created.flashMessages().webhookSecret
    assert.match(String(secret), /^whsec_/)

    const page = await client
      .get(location)
      .withInertia()
      .loginAs(admin)
      .withSession({ __flash__: { webhookSecret: secret } })
    page.assertStatus(200)
    assert.equal(page.inertiaProps.secret, secret)
    assert.deepEqual(page.inertiaProps.endpoint.events, ['invoice.paid', 'invoice.overdue'])
    const later = await client.get(location).withInertia().loginAs(viewer)
    assert.isNull(later.inertiaProps.secret)
    assert.notInclude(JSON.stringify(later.inertiaProps), String(secret))
    assert.notInclude(JSON.stringify(later.inertiaProps), 'secret_encrypted')

    const tested = await client.post(`${location}/test`).loginAs(admin).withCsrfToken().redirects(0)
    tested.assertStatus(302)
    tested.assertFlash('success', /delivered: the receiver answered HTTP 204/)
    const bad = await client
      .post('/webhooks')
      .json({ url: 'https://10.1.2.3/x', events: ['invoice.paid'] })
      .header('referer', '/webhooks')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    bad.assertStatus(302)
    assert.match(
      String((bad.flashMessages().inputErrorsBag as Record<string, string[]>)?.url),
      /internal networks/
    )
  })

  test("an import that completes and one that fails are each told once, in the import's own transaction", async ({
    assert,
    cleanup,
  }) => {
    const receiver = await startReceiver()
    cleanup(receiver.close)
    await createEndpoint({ url: receiver.url, events: ['import.completed', 'import.failed'] }, null)
    const dir = app.makePath('tmp', `webhooks-${process.pid}`)
    await mkdir(dir, { recursive: true })
    cleanup(() => rm(dir, { recursive: true, force: true }))
    const customer = await makeCustomer()
    const good = join(dir, 'good.csv')
    await writeFile(good, [cdr(1), cdr(2)].join('\n') + '\n')
    const ok = await importFile({
      path: good,
      customer,
      format: 'asterisk',
      parser: new AsteriskParser('Europe/London', customer.timeZone),
      process: false,
    })
    const empty = join(dir, 'empty.csv')
    await writeFile(empty, '')
    const bad = await importFile({
      path: empty,
      customer,
      format: 'asterisk',
      parser: new AsteriskParser('Europe/London', customer.timeZone),
      process: false,
    })
    assert.equal(ok.status, 'completed')
    assert.equal(bad.status, 'failed')

    await deliverDueWebhooks()
    const bodies = receiver.received.map((r) => JSON.parse(r.body))
    assert.deepEqual(bodies.map((b) => b.type).sort(), ['import.completed', 'import.failed'])
    const completed = bodies.find((b) => b.type === 'import.completed')
    assert.equal(completed.data.import.id, ok.import_id)
    assert.equal(completed.data.import.imported, ok.imported)
    assert.equal(completed.data.import.file_name, 'good.csv')
    const failed = bodies.find((b) => b.type === 'import.failed')
    assert.equal(failed.data.import.id, bad.import_id)
    assert.equal(failed.data.import.error, bad.error)
  })
})
