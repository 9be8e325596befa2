import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import vine from '@vinejs/vine'
import { formatScaled } from '#lib/money'
import { saveRate } from '#rating/tariffs'
import { rerateAndRefresh } from '#consolidation/usage_pipeline'
import { epochMsOf } from '#rating/deck_store'
import { REASON_NO_TARIFF } from '#rating/types'
import { rateValidator } from '#validators/tariff'
import { rateFieldsFrom } from '#controllers/tariffs_controller'

const tariffIdValidator = vine.compile(vine.object({ tariffId: vine.number().withoutDecimals().positive() }))

/** Customers with unbilled unrated records (optionally only those last rated against one tariff). */
async function customersWithExceptions(tariffId?: number) {
  const q = db.from('usage_records').where('rating_status', 'unrated').whereNull('invoice_id').distinct('customer_id')
  if (tariffId) q.where((w) => w.where('tariff_id', tariffId).orWhereNull('tariff_id'))
  return (await q).map((r: any) => Number(r.customer_id))
}

export default class ExceptionsController {
  /** Unrated, unbilled records grouped by reason, tariff, category and leading destination digits. */
  async index({ inertia, request, session }: HttpContext) {
    const digits = Math.min(8, Math.max(1, Number(request.input('digits', 4)) || 4))
    const prefixExpr = `substr(replace(coalesce(destination, ''), '+', ''), 1, ${digits})`
    const groups = await db
      .from('usage_records')
      .where('rating_status', 'unrated')
      .whereNull('invoice_id')
      .select(
        db.raw('unrated_reason as reason'),
        'tariff_id',
        'category',
        db.raw(`${prefixExpr} as prefix`),
        db.raw('count(*) as records'),
        db.raw('count(distinct customer_id) as customers'),
        db.raw('min(destination) as sample'),
        db.raw('min(occurred_at) as first_at'),
        db.raw('max(occurred_at) as last_at'),
        db.raw('sum(duration_s) as seconds')
      )
      .groupByRaw(`unrated_reason, tariff_id, category, ${prefixExpr}`)
      .orderBy('records', 'desc')
      .limit(500)
    const noTariff = await db
      .from('usage_records as u')
      .join('customers as c', 'c.id', 'u.customer_id')
      .where('u.rating_status', 'unrated')
      .whereNull('u.invoice_id')
      .where('u.unrated_reason', REASON_NO_TARIFF)
      .select('c.id', 'c.name', 'c.account_number')
      .count('* as records')
      .groupBy('c.id', 'c.name', 'c.account_number')
      .orderBy('c.name')
    const tariffs = await db.from('tariffs').select('id', 'name').orderBy('name')
    const tariffName = new Map(tariffs.map((t: any) => [Number(t.id), t.name]))
    const total = groups.reduce((s: number, g: any) => s + Number(g.records), 0)
    return inertia.render('exceptions/index', {
      digits,
      total,
      groups: groups.map((g: any) => ({
        reason: g.reason ?? 'unknown',
        tariffId: g.tariff_id ? Number(g.tariff_id) : null,
        tariffName: g.tariff_id ? (tariffName.get(Number(g.tariff_id)) ?? null) : null,
        category: g.category,
        prefix: g.prefix,
        sample: g.sample,
        records: Number(g.records),
        customers: Number(g.customers),
        minutes: formatScaled(Math.round((Number(g.seconds) || 0) / 6), 1),
        firstAt: g.first_at ? new Date(epochMsOf(g.first_at)).toISOString() : null,
        lastAt: g.last_at ? new Date(epochMsOf(g.last_at)).toISOString() : null,
      })),
      customersWithoutTariff: noTariff.map((c: any) => ({ id: Number(c.id), name: c.name, accountNumber: c.account_number, records: Number(c.records) })),
      tariffs: tariffs.map((t: any) => ({ id: Number(t.id), name: t.name })),
      rerate: session.flashMessages.get('rerate') ?? null,
    })
  }

  /** "Add a rate" from an exception group, then re-rate the customers concerned. */
  async storeRate({ request, response, session, auth }: HttpContext) {
    const { tariffId } = await request.validateUsing(tariffIdValidator)
    const input = await request.validateUsing(rateValidator)
    const tariff = await db.from('tariffs').where('id', tariffId).first()
    if (!tariff) {
      session.flash('error', 'No such tariff')
      return response.redirect('/exceptions')
    }
    const fields = rateFieldsFrom(input)
    if (fields.prefix === '' && !['data', 'sms'].includes(fields.category)) {
      session.flash('error', 'Only data and sms rates may leave the prefix empty')
      return response.redirect('/exceptions')
    }
    await saveRate(tariffId, fields, auth.user!.id)
    let message = `Rate ${fields.prefix || '(any)'} ${fields.destination} added to ${tariff.name}`
    if (input.rerate !== false) {
      const customers = await customersWithExceptions(tariffId)
      const summary = await rerateAndRefresh({ customerIds: customers }, auth.user!.id)
      session.flash('rerate', summary)
      message += `; re-rated ${summary.records} records, ${summary.changed} changed`
    }
    session.flash('success', message)
    return response.redirect('/exceptions')
  }

  /** Re-rates every customer that has unrated unbilled records. */
  async rerate({ response, session, auth }: HttpContext) {
    const customers = await customersWithExceptions()
    const summary = await rerateAndRefresh({ customerIds: customers }, auth.user!.id)
    session.flash('rerate', summary)
    session.flash('success', `Re-rated ${summary.records} records of ${summary.customers.length} customers: ${summary.changed} changed, ${summary.unrated} still unrated`)
    return response.redirect('/exceptions')
  }
}
