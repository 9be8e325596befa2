import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Connector from '#models/connector'
import Customer from '#models/customer'
import { audit } from '#lib/audit'
import { connectionTestValidator, connectorValidator } from '#validators/connector'
import { CONNECTOR_TYPES, connectorType } from '#connectors/registry'
import { TRANSPORTS } from '#connectors/transports/index'
import { httpsUrlProblem, parseCaCertificates } from '#connectors/transports/https'
import { folderPathProblem } from '#connectors/transports/folder'
import { testConnection, testConnectionOf } from '#connectors/connection_test'
import { explainConnectorError } from '#connectors/explain_error'
import { pollInBackground, scheduleIntervalMs } from '#connectors/poll_connector'

/** What the browser may see of a connector: never its credentials, only which ones are set. */
export function connectorView(c: Connector) {
  let credentialKeys: string[] = []
  try {
    credentialKeys = Object.entries(c.credentials)
      .filter(([, v]) => v)
      .map(([k]) => k)
  } catch {
    credentialKeys = []
  }
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    transport: c.transport,
    customerId: c.customerId,
    customerName: c.customer?.name ?? null,
    settings: c.settings ?? {},
    credentialKeys,
    schedule: c.schedule,
    enabled: c.enabled,
    lastPolledAt: c.lastPolledAt?.toISO() ?? null,
    lastStatus: c.lastStatus,
    lastError: c.lastError ? explainConnectorError(new Error(c.lastError), { host: c.settings?.host, port: c.settings?.port, path: c.settings?.path, url: c.settings?.url }) : null,
  }
}

const formOptions = async () => ({
  types: CONNECTOR_TYPES.map((t) => ({ type: t.type, label: t.label, transports: t.transports, settings: t.settings, credentials: t.credentials ?? [] })),
  transports: TRANSPORTS,
  customers: (await Customer.query().orderBy('name').select('id', 'name', 'account_number')).map((c) => ({ id: c.id, name: c.name, accountNumber: c.accountNumber })),
})

function checkInput(
  input: { type: string; transport: string; schedule?: string | null; customerId?: number | null; settings?: Record<string, any>; credentials?: Record<string, string | null | undefined> },
  stored: Record<string, string>
) {
  const errors: Record<string, string> = {}
  if (input.transport === 'folder') {
    const problem = folderPathProblem(input.settings?.path)
    if (problem) errors['settings.path'] = problem
  }
  if (input.transport === 'https') {
    const credentials = { ...stored, ...Object.fromEntries(Object.entries(input.credentials ?? {}).filter(([, v]) => v)) }
    const problem = httpsUrlProblem(input.settings?.url, input.settings?.auth, credentials)
    if (problem) errors['settings.url'] = problem
  }
  const def = connectorType(input.type)
  if (!def.transports.includes(input.transport)) errors.transport = `${def.label} works with: ${def.transports.join(', ')}`
  if (input.schedule && !scheduleIntervalMs(input.schedule)) errors.schedule = 'use e.g. "15m", "1h", "1d", "every 30 minutes", "hourly" or "daily"'
  // A file connector without a customer serves all customers (each record is routed); an API snapshot is one customer's.
  if (!input.customerId && !def.createParser) errors.customerId = 'choose the customer this connector bills'
  const ca = input.settings?.caCertificate
  if (input.transport === 'https' && ca) {
    try {
      parseCaCertificates(String(ca))
    } catch (error) {
      errors['settings.caCertificate'] = (error as Error).message
    }
  }
  return errors
}

async function lastResult(connectorId: number) {
  const run = await db
    .from('job_runs')
    .where('job', 'connectors:poll')
    .whereRaw('(detail like ? or detail = ?)', [`{"connectorId":${connectorId},%`, `{"connectorId":${connectorId}}`])
    .orderBy('id', 'desc')
    .first()
  if (!run) return null
  let detail: any = null
  try {
    detail = run.detail ? JSON.parse(run.detail) : null
  } catch {}
  return { id: run.id, status: run.status, startedAt: run.started_at, finishedAt: run.finished_at, error: run.error, detail }
}

export default class ConnectorsController {
  async index({ inertia }: HttpContext) {
    const connectors = await Connector.query().preload('customer').orderBy('name')
    return inertia.render('connectors/index', { connectors: connectors.map(connectorView) })
  }

  async show({ inertia, params }: HttpContext) {
    const connector = await Connector.query().where('id', params.id).preload('customer').firstOrFail()
    const imports = await db
      .from('imports')
      .where('connector_id', connector.id)
      .orderBy('id', 'desc')
      .limit(20)
      .select('id', 'source_name', 'format', 'status', 'rows_read', 'rows_imported', 'rows_duplicate', 'rows_rejected', 'progress_pct', 'error_message', 'created_at')
    const concealed = connector.type === 'm365' && connector.customerId
      ? Boolean(await db.from('m365_activity').where('customer_id', connector.customerId).where('concealed', true).first())
      : false
    return inertia.render('connectors/show', {
      connector: () => connectorView(connector),
      imports: () => imports,
      lastRun: async () => lastResult(connector.id),
      concealed,
      typeLabel: connectorType(connector.type).label,
    })
  }

  async create({ inertia }: HttpContext) {
    return inertia.render('connectors/form', { connector: null, ...(await formOptions()) })
  }

  async edit({ inertia, params }: HttpContext) {
    const connector = await Connector.query().where('id', params.id).preload('customer').firstOrFail()
    return inertia.render('connectors/form', { connector: connectorView(connector), ...(await formOptions()) })
  }

  private async save(ctx: HttpContext, connector: Connector) {
    const { request, response, session, auth } = ctx
    const input = await request.validateUsing(connectorValidator)
    const errors = checkInput(input, connector.id ? connector.credentials : {})
    if (Object.keys(errors).length) {
      session.flashErrors(errors)
      session.flashAll()
      return response.redirect().back()
    }
    const creating = !connector.id
    const settings: Record<string, any> = {}
    for (const [k, v] of Object.entries(input.settings ?? {})) {
      if (v === '' || v === null || v === undefined) continue
      settings[k] = v
    }
    const credentials = creating ? {} : { ...connector.credentials }
    for (const [k, v] of Object.entries(input.credentials ?? {})) {
      if (typeof v === 'string' && v !== '') credentials[k] = v
    }
    connector.merge({
      name: input.name,
      type: input.type,
      transport: input.transport,
      customerId: input.customerId ?? null,
      schedule: input.schedule || null,
      enabled: input.enabled ?? true,
      settings,
    })
    connector.credentials = credentials
    await db.transaction(async (trx) => {
      connector.useTransaction(trx)
      await connector.save()
      await audit(
        {
          userId: auth.user!.id,
          action: creating ? 'connector.created' : 'connector.updated',
          subjectType: 'connector',
          subjectId: connector.id,
          // Settings only: credentials never reach the audit log.
          changes: { name: connector.name, type: connector.type, transport: connector.transport, customerId: connector.customerId, schedule: connector.schedule, enabled: connector.enabled, settings, credentialsChanged: Object.keys(input.credentials ?? {}).filter((k) => input.credentials![k]) },
        },
        trx
      )
    })
    session.flash('success', creating ? 'Connector created' : 'Connector saved')
    return response.redirect(`/connectors/${connector.id}`)
  }

  async store(ctx: HttpContext) {
    return this.save(ctx, new Connector())
  }

  async update(ctx: HttpContext) {
    return this.save(ctx, await Connector.findOrFail(ctx.params.id))
  }

  async destroy({ params, response, session, auth }: HttpContext) {
    const connector = await Connector.findOrFail(params.id)
    await db.transaction(async (trx) => {
      connector.useTransaction(trx)
      await connector.delete()
      await audit({ userId: auth.user!.id, action: 'connector.deleted', subjectType: 'connector', subjectId: connector.id, changes: { name: connector.name } }, trx)
    })
    session.flash('success', 'Connector deleted')
    return response.redirect('/connectors')
  }

  /** Checks the far end and the credentials of a saved connector without importing anything. */
  async test({ params, response, session, request }: HttpContext) {
    const connector = await Connector.findOrFail(params.id)
    const result = await testConnectionOf(connector)
    if (request.accepts(['html', 'json']) === 'json') return response.json(result.ok ? { ok: true, message: result.message } : result)
    session.flash(result.ok ? 'success' : 'error', `Test connection: ${result.message}`)
    if (result.detail) session.flash('errorDetail', result.detail)
    return response.redirect(`/connectors/${connector.id}`)
  }

  /** "Test" on the form: the values as typed, before saving (JSON answer for the form). */
  async testUnsaved({ request, response }: HttpContext) {
    const input = await request.validateUsing(connectionTestValidator)
    return response.json(await testConnection(input, input.id ?? null))
  }

  /** Starts a poll in the background; the page follows its progress. */
  async run({ params, response, session, auth }: HttpContext) {
    const connector = await Connector.findOrFail(params.id)
    if (connector.lastStatus === 'running') {
      session.flash('error', 'A poll of this connector is already running')
      return response.redirect(`/connectors/${connector.id}`)
    }
    await audit({ userId: auth.user!.id, action: 'connector.run', subjectType: 'connector', subjectId: connector.id })
    pollInBackground(connector.id)
    session.flash('success', 'Poll started')
    return response.redirect(`/connectors/${connector.id}?running=1`)
  }
}
