import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import db from '@adonisjs/lucid/services/db'
import { randomUUID } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { audit } from '#lib/audit'
import { formatScaled, parseDecimal } from '#lib/money'
import { DeckImportError, parseDeckFile } from '#rating/deck_csv'
import { TariffAssignmentError, assignCustomer, deleteRate, importDeck, saveRate } from '#rating/tariffs'
import { rerateAndRefresh } from '#consolidation/usage_pipeline'
import { isoDateOf } from '#rating/deck_store'
import { allowanceValidator, assignCustomerValidator, rateValidator, rerateValidator, tariffValidator } from '#validators/tariff'
import { pageQueryValidator } from '#validators/list_query'

const PAGE_SIZE = 50

export function uploadDir() {
  return app.makePath(env.get('STORAGE_PATH', 'storage'), 'tariff-uploads')
}

export function rateView(r: any) {
  return {
    id: Number(r.id),
    prefix: r.prefix,
    destination: r.destination,
    category: r.category,
    peak: formatScaled(Number(r.peak_micros ?? r.peakMicros), 6),
    offpeak: formatScaled(Number(r.offpeak_micros ?? r.offpeakMicros), 6),
    weekend: formatScaled(Number(r.weekend_micros ?? r.weekendMicros), 6),
    connection: formatScaled(Number(r.connection_micros ?? r.connectionMicros), 6),
    minimum: formatScaled(Number(r.minimum_micros ?? r.minimumMicros), 6),
    increments: `${r.initial_s ?? r.initialS}/${r.subsequent_s ?? r.subsequentS}`,
    effectiveFrom: isoDateOf(r.effective_from ?? r.effectiveFrom),
  }
}

/** Rate form fields → micros (shared with the exceptions page). */
export function rateFieldsFrom(input: Awaited<ReturnType<typeof rateValidator.validate>>) {
  const [initialS, subsequentS] = (input.increments ?? '60/60').split('/').map(Number)
  return {
    prefix: input.prefix,
    destination: input.destination,
    category: input.category,
    peakMicros: parseDecimal(input.peak, 6),
    offpeakMicros: parseDecimal(input.offpeak, 6),
    weekendMicros: parseDecimal(input.weekend, 6),
    connectionMicros: parseDecimal(input.connection ?? '0', 6),
    minimumMicros: parseDecimal(input.minimum ?? '0', 6),
    initialS,
    subsequentS,
    effectiveFrom: input.effectiveFrom,
  }
}

async function customerOptions() {
  return (await db.from('customers').select('id', 'name', 'account_number').orderBy('name').limit(5000)).map((c: any) => ({
    id: Number(c.id),
    name: c.name,
    accountNumber: c.account_number,
  }))
}

async function assignments(where: { tariffId?: number }) {
  const q = db
    .from('customer_tariffs as ct')
    .join('customers as c', 'c.id', 'ct.customer_id')
    .join('tariffs as t', 't.id', 'ct.tariff_id')
    .select('ct.id', 'ct.customer_id', 'ct.tariff_id', 'ct.starts_on', 'ct.ends_on', 'c.name as customer_name', 'c.account_number', 't.name as tariff_name')
    .orderBy('c.name')
    .orderBy('ct.starts_on', 'desc')
  if (where.tariffId) q.where('ct.tariff_id', where.tariffId)
  return (await q).map((a: any) => ({
    id: Number(a.id),
    customerId: Number(a.customer_id),
    customerName: a.customer_name,
    accountNumber: a.account_number,
    tariffId: Number(a.tariff_id),
    tariffName: a.tariff_name,
    startsOn: isoDateOf(a.starts_on),
    endsOn: a.ends_on ? isoDateOf(a.ends_on) : null,
  }))
}

export default class TariffsController {
  async index({ inertia }: HttpContext) {
    const tariffs = await db.from('tariffs').select('*').orderBy('name')
    const counts = await db.from('rates').select('tariff_id').count('* as n').groupBy('tariff_id')
    const rateCount = new Map(counts.map((c: any) => [Number(c.tariff_id), Number(c.n)]))
    const list = await assignments({})
    return inertia.render('tariffs/index', {
      tariffs: tariffs.map((t: any) => ({
        id: Number(t.id),
        name: t.name,
        currency: t.currency,
        defaultMarkup: formatScaled(Number(t.default_markup_bp), 2),
        description: t.description,
        rates: rateCount.get(Number(t.id)) ?? 0,
        customers: new Set(list.filter((a) => a.tariffId === Number(t.id)).map((a) => a.customerId)).size,
      })),
      assignments: list,
      customers: await customerOptions(),
    })
  }

  async store({ request, response, auth, session }: HttpContext) {
    const input = await request.validateUsing(tariffValidator)
    if (await db.from('tariffs').where('name', input.name).first()) {
      session.flash('error', `A tariff named "${input.name}" already exists`)
      return response.redirect().back()
    }
    const values = {
      name: input.name,
      currency: input.currency,
      default_markup_bp: parseDecimal(input.defaultMarkup, 2),
      description: input.description ?? null,
    }
    const id = await db.transaction(async (trx) => {
      const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ')
      await trx.table('tariffs').insert({ ...values, created_at: stamp, updated_at: stamp })
      const row = await trx.from('tariffs').where('name', input.name).select('id').first()
      await audit({ userId: auth.user!.id, action: 'tariff.created', subjectType: 'tariff', subjectId: Number(row.id), changes: values }, trx)
      return Number(row.id)
    })
    session.flash('success', `Tariff ${input.name} created`)
    return response.redirect(`/tariffs/${id}`)
  }

  async update({ request, response, auth, session, params }: HttpContext) {
    const tariff = await db.from('tariffs').where('id', params.id).first()
    if (!tariff) return response.notFound('No such tariff')
    const input = await request.validateUsing(tariffValidator)
    const clash = await db.from('tariffs').where('name', input.name).whereNot('id', tariff.id).first()
    if (clash) {
      session.flash('error', `A tariff named "${input.name}" already exists`)
      return response.redirect().back()
    }
    const values = {
      name: input.name,
      currency: input.currency,
      default_markup_bp: parseDecimal(input.defaultMarkup, 2),
      description: input.description ?? null,
    }
    await db.transaction(async (trx) => {
      await trx.from('tariffs').where('id', tariff.id).update({ ...values, updated_at: new Date().toISOString().slice(0, 19).replace('T', ' ') })
      const before = { name: tariff.name, currency: tariff.currency, default_markup_bp: Number(tariff.default_markup_bp), description: tariff.description }
      await audit({ userId: auth.user!.id, action: 'tariff.updated', subjectType: 'tariff', subjectId: Number(tariff.id), changes: { before, after: values } }, trx)
    })
    session.flash('success', 'Tariff saved. Re-rate to apply a new markup to unbilled usage.')
    return response.redirect(`/tariffs/${tariff.id}`)
  }

  async show({ inertia, params, request, response, session }: HttpContext) {
    const tariff = await db.from('tariffs').where('id', params.id).first()
    if (!tariff) return response.notFound('No such tariff')
    const search = String(request.input('q', '')).trim()
    const { page = 1 } = await request.validateUsing(pageQueryValidator)
    const q = db.from('rates').where('tariff_id', tariff.id)
    if (search) {
      const digits = search.replace(/^\+/, '')
      if (/^\d+$/.test(digits)) q.where('prefix', 'like', `${digits}%`)
      else q.where((w) => w.where('destination', 'like', `%${search}%`).orWhere('category', search.toLowerCase()))
    }
    const rates = await q.orderBy('prefix').orderBy('effective_from', 'desc').paginate(page, PAGE_SIZE)
    const allowances = await db.from('allowances').where('tariff_id', tariff.id).orderBy('id')
    return inertia.render('tariffs/show', {
      tariff: {
        id: Number(tariff.id),
        name: tariff.name,
        currency: tariff.currency,
        defaultMarkup: formatScaled(Number(tariff.default_markup_bp), 2),
        description: tariff.description,
      },
      search,
      rates: rates.all().map(rateView),
      meta: rates.getMeta(),
      allowances: allowances.map((a: any) => ({
        id: Number(a.id),
        name: a.name,
        categories: a.categories,
        unit: a.unit,
        quantity: Number(a.quantity),
        scope: a.scope,
      })),
      assignments: await assignments({ tariffId: Number(tariff.id) }),
      customers: await customerOptions(),
      rerate: session.flashMessages.get('rerate') ?? null,
    })
  }

  /** Step 1 of the upload: keep the file, validate every line, show the first rows and the errors. */
  async upload({ request, inertia, params, response, session }: HttpContext) {
    const tariff = await db.from('tariffs').where('id', params.id).first()
    if (!tariff) return response.notFound('No such tariff')
    const file = request.file('deck', { extnames: ['csv', 'txt'], size: '200mb' })
    if (!file || !file.isValid || !file.tmpPath) {
      session.flash('error', file?.errors[0]?.message ?? 'Choose a CSV file to upload')
      return response.redirect(`/tariffs/${tariff.id}`)
    }
    const token = randomUUID()
    await mkdir(uploadDir(), { recursive: true })
    await file.move(uploadDir(), { name: `${token}.csv` })
    const fileName = file.clientName
    const parsed = await parseDeckFile(join(uploadDir(), `${token}.csv`), { displayName: fileName, keepRows: 20 })
    return inertia.render('tariffs/preview', {
      tariff: { id: Number(tariff.id), name: tariff.name },
      token,
      fileName,
      rows: parsed.rows.map((r) => ({ line: r.line, ...rateView({ id: 0, ...r }) })),
      valid: parsed.valid,
      errors: parsed.errors,
      errorCount: parsed.errorCount,
    })
  }

  /** Step 2: import the previewed file (all or nothing), optionally re-rate. */
  async import({ request, response, params, session, auth }: HttpContext) {
    const tariff = await db.from('tariffs').where('id', params.id).first()
    if (!tariff) return response.notFound('No such tariff')
    const token = String(request.input('token', ''))
    const fileName = String(request.input('fileName', 'upload.csv')).slice(0, 200)
    const path = join(uploadDir(), `${token}.csv`)
    if (!/^[0-9a-f-]{36}$/.test(token) || !existsSync(path)) {
      session.flash('error', 'The upload has expired; upload the file again')
      return response.redirect(`/tariffs/${tariff.id}`)
    }
    try {
      const result = await importDeck({
        path,
        displayName: fileName,
        tariffId: Number(tariff.id),
        replace: Boolean(request.input('replace')),
        userId: auth.user!.id,
      })
      await rm(path, { force: true })
      session.flash('success', `${result.rates} rates imported from ${fileName}: ${result.inserted} new, ${result.updated} updated${result.removed ? `, ${result.removed} removed` : ''}`)
      if (request.input('rerate')) session.flash('rerate', await rerateAndRefresh({ tariffId: Number(tariff.id) }, auth.user!.id))
    } catch (error) {
      if (!(error instanceof DeckImportError)) throw error
      session.flash('error', error.message)
    }
    return response.redirect(`/tariffs/${tariff.id}`)
  }

  async storeRate({ request, response, params, session, auth }: HttpContext) {
    const tariff = await db.from('tariffs').where('id', params.id).first()
    if (!tariff) return response.notFound('No such tariff')
    const input = await request.validateUsing(rateValidator)
    const fields = rateFieldsFrom(input)
    if (fields.prefix === '' && !['data', 'sms'].includes(fields.category)) {
      session.flash('error', 'Only data and sms rates may leave the prefix empty')
      return response.redirect().back()
    }
    await saveRate(Number(tariff.id), fields, auth.user!.id)
    session.flash('success', `Rate ${fields.prefix || '(any)'} ${fields.destination} saved`)
    if (input.rerate) session.flash('rerate', await rerateAndRefresh({ tariffId: Number(tariff.id) }, auth.user!.id))
    return response.redirect().back()
  }

  async destroyRate({ response, params, session, auth }: HttpContext) {
    const removed = await deleteRate(Number(params.id), Number(params.rateId), auth.user!.id)
    session.flash(removed ? 'success' : 'error', removed ? 'Rate removed' : 'No such rate')
    return response.redirect().back()
  }

  async storeAllowance({ request, response, params, session, auth }: HttpContext) {
    const tariff = await db.from('tariffs').where('id', params.id).first()
    if (!tariff) return response.notFound('No such tariff')
    const input = await request.validateUsing(allowanceValidator)
    const values = {
      tariff_id: Number(tariff.id),
      name: input.name,
      categories: input.categories.split(',').map((c) => c.trim()).filter(Boolean).join(','),
      unit: input.unit,
      quantity: input.quantity,
      scope: input.scope,
    }
    await db.transaction(async (trx) => {
      const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ')
      await trx.table('allowances').insert({ ...values, created_at: stamp, updated_at: stamp })
      await trx.from('tariffs').where('id', tariff.id).update({ updated_at: stamp })
      await audit({ userId: auth.user!.id, action: 'allowance.created', subjectType: 'tariff', subjectId: Number(tariff.id), changes: values }, trx)
    })
    session.flash('success', `Allowance ${input.name} added. Re-rate to apply it to unbilled usage.`)
    return response.redirect(`/tariffs/${tariff.id}`)
  }

  async destroyAllowance({ response, params, session, auth }: HttpContext) {
    const allowance = await db.from('allowances').where({ id: params.allowanceId, tariff_id: params.id }).first()
    if (!allowance) return response.notFound('No such allowance')
    await db.transaction(async (trx) => {
      await trx.from('allowances').where('id', allowance.id).delete()
      await audit({ userId: auth.user!.id, action: 'allowance.deleted', subjectType: 'tariff', subjectId: Number(params.id), changes: { id: allowance.id, name: allowance.name } }, trx)
    })
    session.flash('success', 'Allowance removed')
    return response.redirect(`/tariffs/${params.id}`)
  }

  async assign({ request, response, params, session, auth }: HttpContext) {
    const tariff = await db.from('tariffs').where('id', params.id).first()
    if (!tariff) return response.notFound('No such tariff')
    const input = await request.validateUsing(assignCustomerValidator)
    const customer = await db.from('customers').where('id', input.customerId).first()
    if (!customer) {
      session.flash('error', 'No such customer')
      return response.redirect().back()
    }
    try {
      await assignCustomer(Number(customer.id), Number(tariff.id), input.startsOn, auth.user!.id)
    } catch (error) {
      if (!(error instanceof TariffAssignmentError)) throw error
      session.flashErrors({ customerId: error.message })
      return response.redirect().back()
    }
    session.flash('success', `${customer.name} is on ${tariff.name} from ${input.startsOn}. Re-rate to price unbilled usage with it.`)
    return response.redirect().back()
  }

  async rerate({ request, response, params, session, auth }: HttpContext) {
    const tariff = await db.from('tariffs').where('id', params.id).first()
    if (!tariff) return response.notFound('No such tariff')
    const input = await request.validateUsing(rerateValidator)
    const summary = await rerateAndRefresh(
      { tariffId: Number(tariff.id), period: input.period, customerIds: input.customerId ? [input.customerId] : undefined },
      auth.user!.id
    )
    session.flash('rerate', summary)
    session.flash('success', `Re-rated ${summary.records} unbilled records: ${summary.changed} changed`)
    return response.redirect(`/tariffs/${tariff.id}`)
  }
}
