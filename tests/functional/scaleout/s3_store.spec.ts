import { test } from '@japa/runner'
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { startS3Peer, type S3Peer } from '#tests/helpers/peers/s3_server'
import { startSmtpPeer } from '#tests/helpers/smtp_peer'
import { cdr } from '#tests/helpers/peers/master_csv'
import { setSettings } from '#billing/settings'
import { periodDue } from '#jobs/tasks'
import { makeBillingFixture } from '../billing/fixtures.js'

const dir = app.makePath('tmp', `scaleout-${process.pid}`)

/** Runs `node ace …` as its own process (as an operator would) and answers its exit code and output. */
function ace(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['ace', ...args], {
      cwd: app.makePath(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let output = ''
    child.stdout.on('data', (d) => ((stdout += d), (output += d)))
    child.stderr.on('data', (d) => (output += d))
    child.on('exit', (code) => resolve({ code, stdout, output }))
  })
}

async function freePort() {
  return new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** A web process of its own (bin/server.ts from source), answering once /health does. */
async function webProcess(env: Record<string, string>) {
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import=ts-node-maintained/register/esm', 'bin/server.ts'],
    {
      cwd: app.makePath(),
      env: {
        ...process.env,
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        SESSION_DRIVER: 'cookie',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  )
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`web process exited: ${output}`)
    const ok = await fetch(`${base}/health`)
      .then((r) => r.ok)
      .catch(() => false)
    if (ok)
      return {
        base,
        stop: () =>
          new Promise<void>((resolve) =>
            child.exitCode !== null
              ? resolve()
              : (child.once('exit', () => resolve()), child.kill('SIGTERM'))
          ),
      }
    await new Promise((r) => setTimeout(r, 250))
  }
  child.kill('SIGKILL')
  throw new Error(`web process did not answer: ${output}`)
}

/** A browser's cookie jar, enough for a session cookie and the XSRF token. */
class Jar {
  cookies = new Map<string, string>()
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const at = pair.indexOf('=')
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }
  xsrf() {
    return decodeURIComponent(this.cookies.get('XSRF-TOKEN') ?? '')
  }
}

async function login(base: string, jar: Jar, email: string) {
  jar.take(await fetch(`${base}/health`, { headers: { cookie: jar.header() } }))
  const body = new URLSearchParams({ email, password: 'secret-password' })
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: { 'cookie': jar.header(), 'x-xsrf-token': jar.xsrf() },
  })
  jar.take(response)
  return response
}

test.group('Scale-out: S3 file store, several processes', (group) => {
  let s3: S3Peer
  group.each.setup(() => truncateAll())
  group.setup(async () => {
    await mkdir(dir, { recursive: true })
    s3 = await startS3Peer()
    return async () => {
      await s3.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('with DRIVE_DISK=s3 raw imports, invoice PDFs and mail go to the S3 store, not the local disk', async ({
    assert,
  }) => {
    const importer = await makeCustomer()
    const billed = await makeBillingFixture({
      employees: 1,
      recordsPerService: 2,
      billingEmail: 'accounts@billed.example',
    })
    const file = join(dir, 'Master.csv')
    const csv = [cdr(1), cdr(2), cdr(3)].join('\n') + '\n'
    await writeFile(file, csv)
    const storage = join(dir, 'local-storage-unused')
    const env = { ...s3.env, STORAGE_PATH: storage, MAIL_MAILER: 'file', PDF_PAGES: '1' }

    const imported = await ace(
      [
        'usage:import',
        file,
        '--format',
        'asterisk',
        '--customer',
        importer.accountNumber,
        '--json',
      ],
      env
    )
    assert.equal(imported.code, 0, imported.output)
    const sha = createHash('sha256').update(csv).digest('hex')
    assert.deepEqual(await s3.keys('imports/'), [`imports/${sha}`])
    assert.equal((await s3.bytes(`imports/${sha}`)).toString(), csv)

    const run = await ace(
      [
        'billing:run',
        '--period',
        billed.period,
        '--customer',
        billed.customer.accountNumber,
        '--finalize',
        '--json',
      ],
      env
    )
    assert.equal(run.code, 0, run.output)
    const result = JSON.parse(run.stdout)
    const invoice = await db.from('invoices').where('customer_id', billed.customer.id).firstOrFail()
    assert.match(result.invoices[0].pdf, new RegExp(`^s3://${s3.bucket}/invoices/`))
    const pdf = await s3.bytes(invoice.pdf_path)
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-')
    assert.equal(createHash('sha256').update(pdf).digest('hex'), invoice.pdf_sha256)

    const sent = await ace(['invoices:send', '--run', String(result.run_id), '--json'], { ...env })
    assert.equal(sent.code, 0, sent.output)
    const mails = await s3.keys('mail/')
    assert.lengthOf(mails, 1, sent.output)
    assert.include((await s3.bytes(mails[0])).toString(), billed.customer.name)

    const { existsSync } = await import('node:fs')
    assert.isFalse(existsSync(join(storage, 'imports')), 'no raw copy on the local disk')
    assert.isFalse(existsSync(join(storage, 'invoices')), 'no PDF on the local disk')
  }).timeout(180_000)

  test('two web processes and two schedulers on one database and one S3 store: month end once per customer, each email once, an upload to one web process is read from the other', async ({
    assert,
    cleanup,
  }) => {
    const smtp = await startSmtpPeer()
    cleanup(() => smtp.close())
    const period = periodDue({ billDay: 1, timeZone: 'Europe/London' }, new Date())!
    const fixtures = []
    for (let i = 0; i < 3; i++)
      fixtures.push(
        await makeBillingFixture({
          period,
          employees: 1,
          recordsPerService: 2,
          billingEmail: `accounts${i}@customer.example`,
        })
      )
    await setSettings({ auto_finalize: 'true', auto_send: 'true' })
    const clerk = await makeUser('billing')
    const env = {
      ...s3.env,
      STORAGE_PATH: join(dir, 'scratch'),
      MAIL_MAILER: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      PDF_PAGES: '1',
    }

    const [web1, web2] = await Promise.all([webProcess(env), webProcess(env)])
    cleanup(async () => {
      await web1.stop()
      await web2.stop()
    })

    // Both schedulers tick together (1 ms ticks): the per-customer claims decide who bills whom.
    const schedulerEnv = { ...env, SCHEDULER_MONTH_END_MS: '1', SCHEDULER_SEND_MS: '1' }
    const [a, b] = await Promise.all([
      ace(['scheduler:work', '--once', '--only', 'month_end'], schedulerEnv),
      ace(['scheduler:work', '--once', '--only', 'month_end'], schedulerEnv),
    ])
    assert.equal(a.code, 0, a.output)
    assert.equal(b.code, 0, b.output)
    const [c, d] = await Promise.all([
      ace(['scheduler:work', '--once', '--only', 'send_invoices'], schedulerEnv),
      ace(['scheduler:work', '--once', '--only', 'send_invoices'], schedulerEnv),
    ])
    assert.equal(c.code, 0, c.output)
    assert.equal(d.code, 0, d.output)

    const invoices = await db.from('invoices').where('period', period).where('status', 'finalized')
    assert.sameMembers(
      invoices.map((i) => Number(i.customer_id)),
      fixtures.map((f) => f.customer.id)
    )
    assert.lengthOf(smtp.messages, 3, 'every invoice emailed exactly once')
    assert.sameMembers(
      smtp.messages.map((m) => m.to[0]),
      ['accounts0@customer.example', 'accounts1@customer.example', 'accounts2@customer.example']
    )
    for (const invoice of invoices) assert.include(await s3.keys('invoices/'), invoice.pdf_path)

    // A clerk uploads a file through web 1; web 2 serves it back from the shared store.
    const jar = new Jar()
    const signedIn = await login(web1.base, jar, clerk.email)
    assert.equal(signedIn.status, 302)
    assert.equal(signedIn.headers.get('location'), '/')
    const csv = [cdr(11), cdr(12)].join('\n') + '\n'
    const form = new FormData()
    form.set('customerId', String(fixtures[0].customer.id))
    form.set('format', 'asterisk')
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'Master-upload.csv')
    const uploaded = await fetch(`${web1.base}/imports/upload`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      headers: { 'cookie': jar.header(), 'x-xsrf-token': jar.xsrf() },
    })
    assert.equal(uploaded.status, 302, await uploaded.text())
    const importId = Number(/\/imports\/(\d+)/.exec(uploaded.headers.get('location') ?? '')?.[1])
    assert.isAbove(importId, 0)
    let status = ''
    for (let i = 0; i < 120 && !['completed', 'failed'].includes(status); i++) {
      await new Promise((r) => setTimeout(r, 250))
      status = (await db.from('imports').where('id', importId).first())?.status ?? ''
    }
    assert.equal(status, 'completed')
    const raw = await fetch(`${web2.base}/imports/${importId}/raw`, {
      headers: { cookie: jar.header() },
    })
    assert.equal(raw.status, 200)
    assert.equal(await raw.text(), csv)
  }).timeout(240_000)
})
