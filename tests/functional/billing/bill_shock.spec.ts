import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { truncateAll } from '#tests/helpers/migrate'
import {
  makeCustomer,
  makeEmployee,
  makeTariff,
  addRate,
  putOnTariff,
} from '#tests/helpers/factories'
import { startSmtpPeer, decodedHeader, type SmtpPeer } from '#tests/helpers/smtp_peer'
import { smtpMailer } from '#mails/mailers'
import { checkBillShock, crossings } from '#billing/bill_shock'
import { saveGuardSettings, GUARD_DEFAULTS } from '#billing/guard_settings'
import { setSettings } from '#billing/settings'

const run = promisify(execFile)

/** The message with quoted-printable undone (soft breaks joined, =XX bytes decoded as UTF-8). */
function bodyOf(raw: Buffer) {
  const text = raw
    .toString('latin1')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
  return Buffer.from(text, 'latin1').toString('utf8').replace(/\s+/g, ' ')
}

/** An RFC 2047 subject (=?UTF-8?Q?…?= words, possibly folded) as text. */
const subjectOf = (raw: Buffer) => decodedHeader(raw, 'subject') ?? ''

async function rated(
  customerId: number,
  period: string,
  priceE4: number,
  employeeId: number | null,
  day = 10
) {
  await db.table('usage_records').insert({
    customer_id: customerId,
    source: 'test:shock',
    dedupe_key: `s-${Math.random().toString(36).slice(2)}`,
    identifier: '+447700900123',
    employee_id: employeeId,
    occurred_at: `${period}-${String(day).padStart(2, '0')} 10:00:00`,
    period,
    category: 'uk_mobile',
    destination: '447700900999',
    duration_s: 60,
    quantity: 1,
    price_e4: priceE4,
    rating_status: 'rated',
  })
}

test.group('Bill shock alerts', (group) => {
  let peer: SmtpPeer
  group.each.setup(async () => {
    await truncateAll()
    peer = await startSmtpPeer()
    await setSettings({ supplier_email: 'billing@reseller.example' })
    return () => peer.close()
  })

  test('crossings are every threshold reached, for the customer and each employee', ({
    assert,
  }) => {
    const found = crossings(
      60_000,
      [
        { id: 7, name: 'Ann', minor: 12_000 },
        { id: 8, name: 'Bob', minor: 9_999 },
      ],
      [50_000, 100_000],
      [10_000, 25_000]
    )
    assert.deepEqual(
      found.map((c) => [c.employeeId, c.thresholdMinor]),
      [
        [0, 50_000],
        [7, 10_000],
      ]
    )
  })

  test('a customer and an employee crossing mid-month are emailed once per threshold and month', async ({
    assert,
  }) => {
    await saveGuardSettings({
      ...GUARD_DEFAULTS,
      shockCustomerMinor: [50_000, 100_000],
      shockEmployeeMinor: [10_000],
    })
    const customer = await makeCustomer({ billingEmail: 'finance@customer.example' })
    const { id: employeeId } = await makeEmployee(customer, { name: 'Ann Roamer' })
    const mailer = smtpMailer({ host: '127.0.0.1', port: peer.port })
    const now = new Date('2026-11-18T12:00:00Z')

    await rated(customer.id, '2026-11', 3_000_000, Number(employeeId)) // £300 so far, all Ann's
    assert.lengthOf(await checkBillShock(customer.id, ['2026-11'], { now, mailer }), 1) // Ann passed £100
    await rated(customer.id, '2026-11', 2_500_000, null) // the customer reaches £550
    const second = await checkBillShock(customer.id, ['2026-11'], { now, mailer })
    assert.deepEqual(
      second.map((s) => [s.employeeId, s.thresholdMinor]),
      [[0, 50_000]]
    )
    // the same month again: nothing new
    assert.lengthOf(await checkBillShock(customer.id, ['2026-11'], { now, mailer }), 0)

    assert.lengthOf(peer.messages, 2)
    assert.deepEqual(
      peer.messages[0].to,
      ['billing@reseller.example'],
      'the customer asked for nothing'
    )
    assert.include(subjectOf(peer.messages[0].raw), 'Bill shock: Ann Roamer at')
    assert.include(subjectOf(peer.messages[0].raw), 'passed £100.00 in Nov 2026')
    assert.include(bodyOf(peer.messages[1].raw), 'rated usage of £550.00 so far in Nov 2026')
    const rows = await db.from('bill_shock_alerts').orderBy('id')
    assert.deepEqual(
      rows.map((r: any) => r.status),
      ['sent', 'sent']
    )

    // an ended month raises nothing, however high
    await rated(customer.id, '2026-10', 9_000_000, null)
    assert.lengthOf(await checkBillShock(customer.id, ['2026-10'], { now, mailer }), 0)
  })

  test("by customer setting the customer's billing contact is emailed too", async ({ assert }) => {
    await saveGuardSettings({
      ...GUARD_DEFAULTS,
      shockCustomerMinor: [1_000],
      shockEmployeeMinor: [],
    })
    const customer = await makeCustomer({ billingEmail: 'finance@customer.example' })
    await db.from('customers').where('id', customer.id).update({ bill_shock_notify_customer: true })
    await rated(customer.id, '2026-11', 200_000, null)
    await checkBillShock(customer.id, ['2026-11'], {
      now: new Date('2026-11-05T08:00:00Z'),
      mailer: smtpMailer({ host: '127.0.0.1', port: peer.port }),
    })
    assert.lengthOf(peer.messages, 1)
    assert.sameMembers(peer.messages[0].to, [
      'billing@reseller.example',
      'finance@customer.example',
    ])
  })

  test('an import through the CLI raises the alert once, emailed through the configured SMTP server', async ({
    assert,
  }) => {
    await saveGuardSettings({
      ...GUARD_DEFAULTS,
      shockCustomerMinor: [100, 200],
      shockEmployeeMinor: [],
    })
    const customer = await makeCustomer()
    const tariffId = await makeTariff('Shock')
    await addRate(tariffId, {
      prefix: '44',
      destination: 'UK',
      category: 'uk_landline',
      micros: 600000,
    })
    await putOnTariff(customer.id, tariffId, '2026-01-01')

    // A call in the running month (in London), 5 minutes at £0.60/min = £3.00: past £1 and £2
    const zone = 'Europe/London'
    const monthStart = DateTime.now().setZone(zone).startOf('month')
    const at = DateTime.max(
      DateTime.now().setZone(zone).minus({ minutes: 30 }),
      monthStart.plus({ minutes: 1 })
    )
    const stamp = at.toFormat('yyyy-MM-dd HH:mm:ss')
    const end = at.plus({ minutes: 5 }).toFormat('yyyy-MM-dd HH:mm:ss')
    const dir = app.makePath('tmp', 'st-shock')
    await mkdir(dir, { recursive: true })
    const file = join(dir, `master-${Date.now()}.csv`)
    await writeFile(
      file,
      `"","201","02079460000","from-internal","""Ann"" <201>","SIP/201-1","SIP/trunk-2","Dial","SIP/trunk/02079460000","${stamp}","${stamp}","${end}",300,300,"ANSWERED","DOCUMENTATION","","shock-1"\n`
    )
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      MAIL_MAILER: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(peer.port),
    }
    const ace = (args: string[]) =>
      run('node', ['ace', ...args], { cwd: app.makePath(), env, maxBuffer: 8 * 1024 * 1024 })
    const first = JSON.parse(
      (
        await ace([
          'usage:import',
          file,
          '--format',
          'asterisk',
          '--customer',
          customer.accountNumber,
          '--json',
        ])
      ).stdout
    )
    assert.equal(first.imported, 1)
    assert.equal(
      Number((await db.from('usage_records').where('customer_id', customer.id).first()).price_e4),
      30_000
    )
    // the same file again (a duplicate) crosses nothing new
    await ace([
      'usage:import',
      file,
      '--format',
      'asterisk',
      '--customer',
      customer.accountNumber,
      '--json',
    ])

    const rows = await db
      .from('bill_shock_alerts')
      .where('customer_id', customer.id)
      .orderBy('threshold_minor')
    assert.deepEqual(
      rows.map((r: any) => [Number(r.threshold_minor), r.status]),
      [
        [100, 'sent'],
        [200, 'sent'],
      ]
    )
    assert.lengthOf(peer.messages, 2)
    assert.include(subjectOf(peer.messages[1].raw), 'passed £2.00')
  }).timeout(180_000)
})
