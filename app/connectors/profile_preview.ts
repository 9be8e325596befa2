import db from '@adonisjs/lucid/services/db'
import { formatScaled } from '#lib/money'
import { previewProfile, type ProfileConfig } from '#connectors/csv_profile'
import type { ParsedRecord, RowOutcome } from '#connectors/types'
import { rateRecord } from '#rating/engine'
import { clockFor, dayNumber } from '#rating/time_band'
import { epochMsOf, isoDateOf, loadDeck } from '#rating/deck_store'
import type { RateDeck } from '#rating/deck'
import { MappingIndex } from '#consolidation/mapping_index'
import { Router, utcMs } from '#connectors/record_router'

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
  /** The employee the record would be charged to ("Name (Department)"), or why none. */
  employee: string | null
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
const perUnit = (micros: number, currency: string, unit: string) =>
  `${currency} ${formatScaled(micros, 6).replace(/(\.\d\d\d*?)0+$/, '$1')}/${unit}`

/**
 * The live preview of a mapping profile: the first rows of a sample parsed with the profile,
 * and for each record the rate and price it would get from the chosen tariff (or the
 * customer's tariff on the record's date), the customer it routes to (its account column, a
 * supplier alias, or the owner of its number) and the employee holding its number then.
 */
export async function previewProfileRated(input: PreviewInput): Promise<RatedPreview> {
  const customer = input.customerId
    ? await db.from('customers').where('id', input.customerId).select('id', 'time_zone').first()
    : null
  const zone = customer?.time_zone || 'Europe/London'
  const base = previewProfile(input.config, input.sample, zone)
  const tariffs = await tariffsFor(customer ? Number(customer.id) : null, input.tariffId ?? null)
  const accounts = await accountNames(
    base.rows.map((r) => (r.outcome?.kind === 'record' ? r.outcome.record.account : null))
  )
  const employees = await employeeFinder(
    base.rows.map((r) => r.outcome as RowOutcome | null),
    customer ? Number(customer.id) : null
  )
  const clock = clockFor(zone)
  const rows: RatedPreviewRow[] = []
  for (const row of base.rows) {
    const outcome = row.outcome as RowOutcome | null
    if (outcome?.kind !== 'record') {
      rows.push({ fields: row.fields, outcome, rating: null, employee: null })
      continue
    }
    const r = outcome.record
    const startMs = epochMsOf(r.occurredAt)
    const tariff = tariffs.on(clock.localDay(startMs))
    const routed = employees.route(r)
    const customerName = r.account
      ? (accounts.get(r.account.toLowerCase()) ??
        routed.customer ??
        `no customer with account ${r.account}`)
      : routed.customer
    if (!tariff) {
      rows.push({
        fields: row.fields,
        outcome,
        employee: routed.employee,
        rating: {
          status: 'no tariff',
          rate: null,
          price: null,
          reason: 'choose a customer with a tariff, or a tariff',
          customer: customerName,
        },
      })
      continue
    }
    const result = rateRecord(tariff.deck, clock, tariff.markupBp, { ...r, startMs })
    const unit = result.rate
      ? r.category === 'data'
        ? 'MB'
        : r.category === 'sms'
          ? 'message'
          : 'min'
      : ''
    rows.push({
      fields: row.fields,
      outcome,
      employee: routed.employee,
      rating: {
        status: result.status,
        rate: result.rate
          ? `${result.rate.destination} · ${perUnit(result.band === 'peak' ? result.rate.peakMicros : result.band === 'offpeak' ? result.rate.offpeakMicros : result.rate.weekendMicros, tariff.currency, unit)} (${result.band})`
          : null,
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
    for (const r of await db
      .from('customer_tariffs')
      .where('customer_id', customerId)
      .orderBy('starts_on', 'desc')) {
      spans.push({
        from: dayNumber(isoDateOf(r.starts_on)),
        until: r.ends_on ? dayNumber(isoDateOf(r.ends_on)) : Infinity,
        tariffId: Number(r.tariff_id),
      })
    }
  }
  const loaded = new Map<number, PreviewTariff & { name: string }>()
  for (const id of new Set(spans.map((s) => s.tariffId))) {
    const t = await db.from('tariffs').where('id', id).first()
    if (t)
      loaded.set(id, {
        name: t.name,
        currency: t.currency,
        markupBp: Number(t.default_markup_bp),
        deck: await loadDeck(id),
      })
  }
  const firstTariff = spans.length ? loaded.get(spans[0].tariffId) : undefined
  return {
    on(day: number): PreviewTariff | null {
      for (const s of spans)
        if (s.from <= day && day < s.until) return loaded.get(s.tariffId) ?? null
      return null
    },
    first: firstTariff ? { name: firstTariff.name, currency: firstTariff.currency } : null,
  }
}

/**
 * The customer each sample record routes to (the chosen customer, else as a reseller-wide
 * import would route it) and the employee holding its number at its time, by the import's rules.
 */
async function employeeFinder(outcomes: (RowOutcome | null)[], customerId: number | null) {
  const records = outcomes.flatMap((o) => (o?.kind === 'record' ? [o.record] : []))
  const router =
    customerId === null && records.length ? await Router.load(db.connection(), null) : null
  const owners = records.map((r) => {
    if (customerId !== null) return customerId
    const route = router!.route(r)
    return route.kind === 'customer' ? route.customerId : null
  })
  const ids = [...new Set(owners.filter((o): o is number => o !== null))]
  const mysql = db.connection().dialect.name === 'mysql'
  const index = ids.length ? await MappingIndex.load(db.connection(), ids, mysql) : null
  const names = new Map<number, string>()
  for (const c of ids.length
    ? await db.from('customers').whereIn('id', ids).select('id', 'name', 'account_number')
    : [])
    names.set(Number(c.id), `${c.name} (${c.account_number})`)
  const links = index
    ? records.map((r, i) =>
        owners[i] === null
          ? null
          : index.links(
              owners[i]!,
              mysql ? r.identifier.toLowerCase() : r.identifier,
              utcMs(r.occurredAt)
            )
      )
    : []
  const employeeIds = [
    ...new Set(links.map((l) => l?.employeeId).filter((e): e is number => Boolean(e))),
  ]
  const people = new Map<number, string>()
  if (employeeIds.length) {
    const rows = await db
      .from('employees as e')
      .leftJoin('departments as d', 'd.id', 'e.department_id')
      .whereIn('e.id', employeeIds)
      .select('e.id', 'e.name', 'd.name as department')
    for (const e of rows)
      people.set(Number(e.id), e.department ? `${e.name} (${e.department})` : String(e.name))
  }
  const out = new Map<ParsedRecord, { customer: string | null; employee: string | null }>()
  records.forEach((r, i) => {
    const owner = owners[i]
    const l = links[i]
    if (owner === null || !l) return out.set(r, { customer: null, employee: null })
    const employee = !l.serviceId
      ? 'unallocated: no service with this number'
      : l.employeeId
        ? (people.get(l.employeeId) ?? null)
        : 'unallocated: nobody holds the number then'
    // The customer by routing only for a reseller-wide preview (a chosen customer is the customer).
    out.set(r, { customer: customerId === null ? (names.get(owner) ?? null) : null, employee })
  })
  return { route: (r: ParsedRecord) => out.get(r) ?? { customer: null, employee: null } }
}

/** account number (lower case) → "Name (ACCOUNT)" for the accounts in the sample. */
async function accountNames(accounts: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(accounts.filter((a): a is string => Boolean(a)))]
  const out = new Map<string, string>()
  if (wanted.length === 0) return out
  for (const c of await db
    .from('customers')
    .whereIn('account_number', wanted)
    .select('name', 'account_number')) {
    out.set(String(c.account_number).toLowerCase(), `${c.name} (${c.account_number})`)
  }
  return out
}

/** The customers and tariffs the preview can price with (for the form's pickers). */
export async function profileFormOptions() {
  const customers = await db
    .from('customers')
    .orderBy('name')
    .select('id', 'name', 'account_number')
    .limit(2000)
  const tariffs = await db.from('tariffs').orderBy('name').select('id', 'name', 'kind')
  return {
    customers: customers.map((c: any) => ({
      id: Number(c.id),
      label: `${c.name} (${c.account_number})`,
    })),
    tariffs: tariffs.map((t: any) => ({
      id: Number(t.id),
      label: `${t.name}${t.kind === 'buy' ? ' (buy deck)' : ''}`,
    })),
  }
}
export type ProfileFormOptions = Awaited<ReturnType<typeof profileFormOptions>>
