import Tariff from '#models/tariff'
import Rate from '#models/rate'
import { formatScaled } from '#lib/money'
import { pageOf } from '#api/pagination'
import { day, micros } from '#api/serialize'

/** The JSON shapes of /api/v1 for tariffs and their rates. */

export function tariffJson(t: Tariff) {
  return {
    id: t.id,
    name: t.name,
    kind: t.kind,
    supplier: t.supplier,
    currency: t.currency,
    description: t.description,
    defaultMarkupBp: t.defaultMarkupBp,
    /** Percentage as text, exact ("15", "12.5"). */
    defaultMarkup: formatScaled(t.defaultMarkupBp, 2).replace(/\.00$/, ''),
  }
}

const UNIT: Record<string, string> = { data: 'MB', sms: 'message' }

export function rateJson(r: Rate, currency: string) {
  const unit = UNIT[r.category] ?? 'min'
  return {
    id: r.id,
    tariffId: r.tariffId,
    prefix: r.prefix,
    destination: r.destination,
    category: r.category,
    peak: micros(r.peakMicros, currency, unit),
    offpeak: micros(r.offpeakMicros, currency, unit),
    weekend: micros(r.weekendMicros, currency, unit),
    connection: micros(r.connectionMicros, currency, 'call'),
    minimum: micros(r.minimumMicros, currency, 'call'),
    initialS: r.initialS,
    subsequentS: r.subsequentS,
    effectiveFrom: day(r.effectiveFrom),
  }
}

export async function tariffPage(filter: { page: number; perPage: number; search?: string }) {
  const page = await Tariff.query()
    .if(filter.search, (q) => q.whereILike('name', `%${filter.search}%`))
    .orderBy('name')
    .orderBy('id')
    .paginate(filter.page, filter.perPage)
  return pageOf(page, tariffJson)
}

export async function ratePage(
  tariff: Tariff,
  filter: { page: number; perPage: number; search?: string }
) {
  const { search } = filter
  const page = await Rate.query()
    .where('tariff_id', tariff.id)
    .if(search, (q) =>
      q.where((w) =>
        w.whereILike('destination', `%${search}%`).orWhereILike('prefix', `${search}%`)
      )
    )
    .orderBy('prefix')
    .orderBy('category')
    .orderBy('effective_from')
    .paginate(filter.page, filter.perPage)
  return pageOf(page, (r: Rate) => rateJson(r, tariff.currency))
}
