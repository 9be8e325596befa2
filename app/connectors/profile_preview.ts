import db from '@adonisjs/lucid/services/db'
import { formatScaled } from '#lib/money'
import { previewProfile, type ProfileConfig } from '#connectors/csv_profile'
import type { RowOutcome } from '#connectors/types'
import { rateRecord } from '#rating/engine'
import { clockFor, dayNumber } from '#rating/time_band'
import { epochMsOf, isoDateOf, loadDeck } from '#rating/deck_store'
import type { RateDeck } from '#rating/deck'

/** What a preview row would be priced at, as people read it (never raw codes or floats). */
export interface PreviewRating {
  status: string
  rate: string | null
  price: string | null
  reason: string | null
  customer: string | null
}

export interface RatedPreviewRow {
  fields: string[]
  outcome: RowOutcome | null
  rating: PreviewRating | null
}

export interface RatedPreview {
  problems: string[]
  header: string[]
  rows: RatedPreviewRow[]
  /** The tariff the prices come from, when one is known. */
  tariff: { name: string; currency: string } | null
}

export interface PreviewInput {
  config: ProfileConfig
  sample: string
  customerId?: number
  tariffId?: number
}

const money = (e4: number, currency: string) => `${currency} ${formatScaled(e4, 4)}`
const perUnit = (micros: number, currency: string, unit: string) => `${currency} ${formatScaled(micros, 6).replace(/(\.\d\d\d*?)0+$/, '$1')}/${unit}`

/**
 * The live preview of a mapping profile: the first rows of a sample parsed with the profile,
 * and for each record the rate and price it would get from the chosen tariff (or the
 * customer's tariff on the record's date), and the customer its account column names.
 */
export async function previewProfileRated(input: PreviewInput): Promise<RatedPreview> {
  const customer = input.customerId ? await db.from('customers').where('id', input.customerId).select('id', 'time_zone').first() : null
  const zone = customer?.time_zone || 'Europe/London'
  const base = previewProfile(input.config, input.sample, zone)
  const tariffs = await tariffsFor(customer ? Number(customer.id) : null, input.tariffId ?? null)
  const accounts = await accountNames(base.rows.map((r) => (r.outcome?.kind === 'record' ? r.outcome.record.account : null)))
  const clock = clockFor(zone)
  const rows: RatedPreviewRow[] = []
  for (const row of base.rows) {
    const outcome = row.outcome as RowOutcome | null
    if (outcome?.kind !== 'record') {
      rows.push({ fields: row.fields, outcome, rating: null })
      continue
    }
    const r = outcome.record
    const startMs = epochMsOf(r.occurredAt)
    const tariff = tariffs.on(clock.localDay(startMs))
    const customerName = r.account ? (accounts.get(r.account.toLowerCase()) ?? `no customer with account ${r.account}`) : null
    if (!tariff) {
      rows.push({ fields: row.fields, outcome, rating: { status: 'no tariff', rate: null, price: null, reason: 'choose a customer with a tariff, or a tariff', customer: customerName } })
      continue
    }
    const result = rateRecord(tariff.deck, clock, tariff.markupBp, { ...r, startMs })
    const unit = result.rate ? (r.category === 'data' ? 'MB' : r.category === 'sms' ? 'message' : 'min') : ''
    rows.push({
      fields: row.fields,
      outcome,
      rating: {
        status: result.status,
        rate: result.rate ? `${result.rate.destination} · ${perUnit(result.band === 'peak' ? result.rate.peakMicros : result.band === 'offpeak' ? result.rate.offpeakMicros : result.rate.weekendMicros, tariff.currency, unit)} (${result.band})` : null,
        price: result.status === 'unrated' ? null : money(result.priceE4, tariff.currency),
        reason: result.reason,
        customer: customerName,
      },
    })
  }
  return { problems: base.problems, header: base.header, rows, tariff: tariffs.first }
}

interface PreviewTariff {
  deck: RateDeck
  markupBp: number
  currency: string
}

async function tariffsFor(customerId: number | null, tariffId: number | null) {
  const spans: { from: number; until: number; tariffId: number }[] = []
  if (tariffId) spans.push({ from: -Infinity, until: Infinity, tariffId })
  else if (customerId) {
    for (const r of await db.from('customer_tariffs').where('customer_id', customerId).orderBy('starts_on', 'desc')) {
      spans.push({ from: dayNumber(isoDateOf(r.starts_on)), until: r.ends_on ? dayNumber(isoDateOf(r.ends_on)) : Infinity, tariffId: Number(r.tariff_id) })
    }
  }
  const loaded = new Map<number, PreviewTariff & { name: string }>()
  for (const id of new Set(spans.map((s) => s.tariffId))) {
    const t = await db.from('tariffs').where('id', id).first()
    if (t) loaded.set(id, { name: t.name, currency: t.currency, markupBp: Number(t.default_markup_bp), deck: await loadDeck(id) })
  }
  const firstTariff = spans.length ? loaded.get(spans[0].tariffId) : undefined
  return {
    on(day: number): PreviewTariff | null {
      for (const s of spans) if (s.from <= day && day < s.until) return loaded.get(s.tariffId) ?? null
      return null
    },
    first: firstTariff ? { name: firstTariff.name, currency: firstTariff.currency } : null,
  }
}

/** account number (lower case) → "Name (ACCOUNT)" for the accounts in the sample. */
async function accountNames(accounts: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(accounts.filter((a): a is string => Boolean(a)))]
  const out = new Map<string, string>()
  if (wanted.length === 0) return out
  for (const c of await db.from('customers').whereIn('account_number', wanted).select('name', 'account_number')) {
    out.set(String(c.account_number).toLowerCase(), `${c.name} (${c.account_number})`)
  }
  return out
}

/** The customers and tariffs the preview can price with (for the form's pickers). */
export async function profileFormOptions() {
  const customers = await db.from('customers').orderBy('name').select('id', 'name', 'account_number').limit(2000)
  const tariffs = await db.from('tariffs').orderBy('name').select('id', 'name', 'kind')
  return {
    customers: customers.map((c: any) => ({ id: Number(c.id), label: `${c.name} (${c.account_number})` })),
    tariffs: tariffs.map((t: any) => ({ id: Number(t.id), label: `${t.name}${t.kind === 'buy' ? ' (buy deck)' : ''}` })),
  }
}
export type ProfileFormOptions = Awaited<ReturnType<typeof profileFormOptions>>
