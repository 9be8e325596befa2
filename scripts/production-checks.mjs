#!/usr/bin/env node
/**
 * Security checks against the production build (issue 13): starts build/bin/server.js with
 * NODE_ENV=production on its own port and MySQL/MariaDB database, then checks over real HTTP
 * that error pages reveal nothing, every response has the CSP and Referrer-Policy, CORS refuses
 * a foreign Origin, bad numbers are validation errors and login throttling works.
 *
 *   node ace build && node scripts/production-checks.mjs
 *
 * Env: PRODCHECK_PORT (4199), DB_HOST/DB_PORT/DB_USER/DB_PASSWORD (127.0.0.1:3306 root),
 * PRODCHECK_DATABASE (tollgate_prodcheck, dropped and re-created). Exit code 1 when a check fails.
 */
import { spawn, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import mysql from 'mysql2/promise'
import { chromium } from 'playwright'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const build = join(root, 'build')
const port = Number(process.env.PRODCHECK_PORT ?? 4199)
const base = `http://127.0.0.1:${port}`
const database = process.env.PRODCHECK_DATABASE ?? 'tollgate_prodcheck'
const db = {
  host: process.env.DB_HOST ?? '127.0.0.1',
  port: Number(process.env.DB_PORT ?? 3306),
  user: process.env.DB_USER ?? 'root',
  password: process.env.DB_PASSWORD ?? '',
}
const ADMIN = {
  email: 'admin@prodcheck.example',
  password: `Prodcheck-${randomBytes(6).toString('hex')}`,
}
const started = Date.now()

if (!existsSync(join(build, 'bin', 'server.js'))) {
  console.error('build/bin/server.js is missing: run `node ace build` first')
  process.exit(1)
}

const env = {
  ...process.env,
  NODE_ENV: 'production',
  PORT: String(port),
  HOST: '127.0.0.1',
  APP_KEY: randomBytes(32).toString('base64url'),
  APP_URL: base,
  LOG_LEVEL: 'info',
  SESSION_DRIVER: 'cookie',
  DB_CONNECTION: 'mysql',
  DB_HOST: db.host,
  DB_PORT: String(db.port),
  DB_USER: db.user,
  DB_PASSWORD: db.password,
  DB_DATABASE: database,
  DRIVE_DISK: 'fs',
  // Relative to the app root, which is build/ for the built app.
  STORAGE_PATH: '../tmp/prodcheck-storage',
  MAIL_MAILER: 'file',
}

const failures = []
let passed = 0
function check(name, ok, detail = '') {
  if (ok) passed++
  else failures.push(`${name}${detail ? `: ${detail}` : ''}`)
  console.log(`${ok ? '  ok  ' : '  FAIL'} ${name}${ok || !detail ? '' : ` (${detail})`}`)
}

/** Cookies of a response as name → value, merged into a jar. */
function absorb(jar, response) {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';')
    const i = pair.indexOf('=')
    jar[pair.slice(0, i)] = pair.slice(i + 1)
  }
  return jar
}
const cookieHeader = (jar) =>
  Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ')

async function request(path, { jar = {}, headers = {}, ...options } = {}) {
  const response = await fetch(base + path, {
    redirect: 'manual',
    ...options,
    headers: { cookie: cookieHeader(jar), ...headers },
  })
  absorb(jar, response)
  return { response, text: await response.text() }
}

async function login(jar, password) {
  await request('/login', { jar })
  const xsrf = decodeURIComponent(jar['XSRF-TOKEN'] ?? '')
  return request('/login', {
    jar,
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-xsrf-token': xsrf,
      'referer': `${base}/login`,
    },
    body: new URLSearchParams({ email: ADMIN.email, password }).toString(),
  })
}

/** Nothing of the request or the server's inside may show in an error page. */
function revealsNothing(name, text, secrets) {
  const leaks = [
    /node_modules/,
    /\bat .*\.(js|ts):\d+/,
    /"stack"/,
    /youch/i,
    /sqlMessage/,
    /errno/,
    /ER_[A-Z_]+/,
    /select .* from/i,
    new RegExp(database),
  ]
  for (const secret of secrets) leaks.push(new RegExp(secret))
  const found = leaks.filter((re) => re.test(text)).map(String)
  check(name, found.length === 0, found.join(', '))
}

function securityHeaders(name, response) {
  const csp = response.headers.get('content-security-policy') ?? ''
  const script = csp.match(/script-src[^;]*/)?.[0] ?? ''
  check(
    `${name}: Content-Security-Policy`,
    csp.includes("default-src 'self'") && script === "script-src 'self'",
    csp || 'missing'
  )
  check(
    `${name}: Referrer-Policy`,
    response.headers.get('referrer-policy') === 'same-origin',
    response.headers.get('referrer-policy') ?? 'missing'
  )
}

async function prepareDatabase() {
  const connection = await mysql.createConnection(db)
  await connection.query(`DROP DATABASE IF EXISTS \`${database}\``)
  await connection.query(`CREATE DATABASE \`${database}\``)
  await connection.end()
  const ace = (...args) =>
    execFileSync('node', ['ace.js', ...args], {
      cwd: build,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  ace('migration:run', '--force')
  ace('users:create', ADMIN.email, '--role=admin', `--password=${ADMIN.password}`)
}

async function startServer() {
  const server = spawn('node', ['bin/server.js'], {
    cwd: build,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  server.stdout.on('data', (d) => (log += d))
  server.stderr.on('data', (d) => (log += d))
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return { server, log: () => log }
    } catch {}
    await new Promise((r) => setTimeout(r, 200))
  }
  server.kill()
  throw new Error(`the production server did not start:\n${log}`)
}

async function checks(log) {
  const probe = {
    cookie: `probe-cookie-${randomBytes(4).toString('hex')}`,
    header: `probe-header-${randomBytes(4).toString('hex')}`,
  }

  console.log('404 page')
  const missing = await request('/no-such-page', {
    headers: { 'cookie': `probe=${probe.cookie}`, 'x-probe': probe.header },
  })
  check('404 status', missing.response.status === 404, String(missing.response.status))
  revealsNothing('404 reveals no stack, headers or cookies', missing.text, [
    probe.cookie,
    probe.header,
  ])
  securityHeaders('404', missing.response)

  console.log('login page and assets')
  const page = await request('/login')
  securityHeaders('login page', page.response)
  const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
  check(
    'no inline script in the HTML shell',
    scripts.length > 0 && scripts.every(([, attrs, body]) => /\bsrc=/.test(attrs) && !body.trim())
  )
  const external = [...page.text.matchAll(/(?:src|href)="(https?:\/\/[^"]+)"/g)]
    .map((m) => m[1])
    .filter((u) => !u.startsWith(base))
  check('no external script, style or font in the page', external.length === 0, external.join(', '))
  const assets = join(build, 'public', 'assets')
  const cssFiles = existsSync(assets)
    ? readdirSync(assets, { recursive: true }).filter((f) => String(f).endsWith('.css'))
    : []
  const cssExternal = cssFiles.filter((f) =>
    /url\(\s*["']?https?:|@import\s+(url\()?\s*["']?https?:/i.test(
      readFileSync(join(assets, String(f)), 'utf8')
    )
  )
  check(
    'built CSS loads nothing from outside (no CDN, no web font)',
    cssFiles.length > 0 && cssExternal.length === 0,
    cssExternal.join(', ') || (cssFiles.length ? '' : 'no CSS built')
  )
  const assetPath = page.text.match(/src="(\/assets\/[^"]+\.js)"/)?.[1]
  if (assetPath) securityHeaders('static asset', (await request(assetPath)).response)

  console.log('session and bad numbers')
  const jar = {}
  const ok = await login(jar, ADMIN.password)
  check(
    'login works',
    ok.response.status === 302 && ok.response.headers.get('location') === '/',
    `${ok.response.status} ${ok.response.headers.get('location')}`
  )
  const secureCookie = ok.response.headers
    .getSetCookie()
    .find((c) => c.startsWith('tollgate-session='))
  check(
    'session cookie is HttpOnly and Secure in production',
    /HttpOnly/i.test(secureCookie ?? '') && /Secure/i.test(secureCookie ?? ''),
    secureCookie
  )
  // The cookie is Secure, so a browser would not send it over http://; this client does, to test the app itself.
  const json = await request('/imports?connector=1e400', {
    jar,
    headers: { accept: 'application/json' },
  })
  check(
    '/imports?connector=1e400 is a validation error (422)',
    json.response.status === 422,
    String(json.response.status)
  )
  revealsNothing('the validation error reveals nothing', json.text, [])
  const html = await request('/imports?connector=1e400', { jar })
  check(
    '/imports?connector=1e400 as a page is not a 500',
    html.response.status < 500,
    String(html.response.status)
  )

  console.log('500 page')
  const connection = await mysql.createConnection({ ...db, database })
  await connection.query('RENAME TABLE audit_logs TO audit_logs_hidden')
  const broken = await request('/audit', { jar })
  const brokenJson = await request('/audit', { jar, headers: { accept: 'application/json' } })
  await connection.query('RENAME TABLE audit_logs_hidden TO audit_logs')
  await connection.end()
  check(
    'a database failure answers 500',
    broken.response.status === 500 && brokenJson.response.status === 500,
    `${broken.response.status}/${brokenJson.response.status}`
  )
  revealsNothing('the 500 page reveals no SQL, errno or stack', broken.text, ['audit_logs'])
  revealsNothing('the 500 JSON reveals no SQL, errno or stack', brokenJson.text, ['audit_logs'])
  const reference = broken.response.headers.get('x-error-reference') ?? ''
  check(
    'the 500 page shows a reference',
    reference.length > 0 && broken.text.includes(reference),
    reference || 'none'
  )
  await new Promise((r) => setTimeout(r, 300))
  check(
    'the log has the detail under that reference',
    reference.length > 0 && log().includes(reference) && /audit_logs/.test(log())
  )
  securityHeaders('500', broken.response)

  console.log('CORS')
  for (const origin of ['http://evil.example', `http://127.0.0.1:${port + 1}`, 'null']) {
    const read = await request('/customers', { jar, headers: { origin } })
    check(
      `no CORS grant for Origin ${origin}`,
      !read.response.headers.get('access-control-allow-origin'),
      read.response.headers.get('access-control-allow-origin') ?? ''
    )
    const preflight = await request('/customers', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-xsrf-token',
      },
    })
    check(
      `preflight refused for Origin ${origin}`,
      !preflight.response.headers.get('access-control-allow-origin')
    )
  }
  const foreignPost = await request('/logout', {
    jar,
    method: 'POST',
    headers: {
      'origin': 'http://evil.example',
      'x-xsrf-token': decodeURIComponent(jar['XSRF-TOKEN'] ?? ''),
    },
  })
  check(
    'a POST from a foreign Origin is refused (403)',
    foreignPost.response.status === 403,
    String(foreignPost.response.status)
  )

  console.log('the built UI under its CSP, in Chromium')
  await browserUnderCsp()

  console.log('throttling')
  let lastWrong
  for (let i = 0; i < 5; i++) lastWrong = await login({}, `wrong-password-${i}`)
  check(
    'wrong passwords go back to the login page',
    lastWrong.response.status === 302 &&
      ['/login', `${base}/login`].includes(lastWrong.response.headers.get('location') ?? ''),
    lastWrong.response.headers.get('location') ?? ''
  )
  const blocked = await login({}, ADMIN.password)
  check(
    'after 5 wrong passwords the right one is refused for now',
    blocked.response.status === 302 && blocked.response.headers.get('location') !== '/',
    blocked.response.headers.get('location') ?? ''
  )
  check(
    'the refusal says when to retry (Retry-After)',
    Number(blocked.response.headers.get('retry-after')) > 0,
    blocked.response.headers.get('retry-after') ?? 'missing'
  )
}

/**
 * Logs in with a real browser and opens a few pages: the CSP must block nothing the built UI
 * needs (a violation is reported as a `securitypolicyviolation` event) and every request stays
 * on this origin.
 */
async function browserUnderCsp() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  })
  try {
    const page = await browser.newPage()
    const violations = []
    const foreign = []
    page.on(
      'console',
      (m) => /Content Security Policy|Refused to/i.test(m.text()) && violations.push(m.text())
    )
    page.on(
      'request',
      (r) => !r.url().startsWith(base) && !r.url().startsWith('data:') && foreign.push(r.url())
    )
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        console.log(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`)
      )
    )
    await page.goto(`${base}/login`)
    await page.fill('#email', ADMIN.email)
    await page.fill('#password', ADMIN.password)
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')])
    for (const path of ['/customers', '/connectors', '/imports', '/users']) {
      await page.goto(base + path)
      await page.waitForLoadState('networkidle')
    }
    const mounted = await page.evaluate(() => document.querySelector('#app')?.children.length ?? 0)
    check(
      'the built UI logs in and renders its pages in Chromium',
      mounted > 0 && page.url().endsWith('/users'),
      page.url()
    )
    check(
      'the CSP blocks nothing the built UI uses',
      violations.length === 0,
      violations.slice(0, 3).join(' | ')
    )
    check(
      'the browser requests nothing from another origin',
      foreign.length === 0,
      foreign.slice(0, 3).join(', ')
    )
  } finally {
    await browser.close()
  }
}

let instance
try {
  await prepareDatabase()
  instance = await startServer()
  await checks(instance.log)
} catch (error) {
  failures.push(`the checks could not run: ${error.message}`)
  console.error(error)
} finally {
  instance?.server.kill()
}
const seconds = ((Date.now() - started) / 1000).toFixed(1)
console.log(`production checks: ${passed} passed, ${failures.length} failed in ${seconds} s`)
if (failures.length) {
  for (const f of failures) console.log(`  - ${f}`)
  process.exit(1)
}
