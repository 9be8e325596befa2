import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type Connector from '#models/connector'
import { normaliseUpn } from '#lib/identifiers'
import { parseDecimal } from '#lib/money'
import type { GraphUser, Sku } from '#connectors/m365_graph'

type Settings = NonNullable<Connector['settings']>

/** Where the licence charges of a snapshot are booked, and when. */
export type LicenceContext = {
  customerId: number
  settings: Settings
  /** The customer's today (charges start and end on it). */
  today: string
  nowSql: string
}

export type LicenceCounts = { started: number; ended: number; kept: number; updated: number }

type HeldService = { id: number; employeeId: number | null }
type WantedLicence = { upn: string; sku: Sku }

type ChargeValues = {
  employee_id: number | null
  service_id: number | null
  unit_price_e4: number
  unit_cost_e4: number
  description: string
}

type ChargeRow = ChargeValues & { id: number; external_ref: string; ends_on: string | null }

function priceOf(settings: Settings, part: string): { price: number; cost: number } | null {
  const entry = settings.skuPrices?.[part]
  if (!entry) return null
  return {
    price: parseDecimal(String(entry.price ?? '0'), 4),
    cost: parseDecimal(String(entry.cost ?? '0'), 4),
  }
}

/**
 * Licences: one recurring charge per user and SKU, ended when the licence goes. Returns what
 * changed and the SKU part numbers that have no price in the connector's settings.
 */
export async function syncLicenceCharges(
  trx: TransactionClientContract,
  context: LicenceContext,
  users: GraphUser[],
  skus: Sku[]
): Promise<{ licences: LicenceCounts; unpriced: Set<string> }> {
  const serviceOf = await servicesByUpn(trx, context.customerId, context.nowSql)
  const wanted = wantedLicences(users, skus)
  const open = await openCharges(trx, context.customerId, context.today)
  const licences: LicenceCounts = { started: 0, ended: 0, kept: 0, updated: 0 }
  const unpriced = new Set<string>()
  for (const [ref, { upn, sku }] of wanted) {
    const { values, priced } = chargeValues(sku, serviceOf.get(upn), context.settings)
    if (!priced) unpriced.add(sku.skuPartNumber)
    const current = open.get(ref)
    if (!current) {
      await startCharge(trx, context, ref, values)
      licences.started++
      continue
    }
    open.delete(ref)
    if (hasChanged(current, values)) {
      await trx
        .from('recurring_charges')
        .where('id', current.id)
        .update({ ...values, updated_at: context.nowSql })
      licences.updated++
    } else licences.kept++
  }
  for (const gone of open.values()) {
    await trx
      .from('recurring_charges')
      .where('id', gone.id)
      .update({ ends_on: context.today, updated_at: context.nowSql })
    licences.ended++
  }
  return { licences, unpriced }
}

/** The customer's m365_user services by UPN (lower-case), with whoever holds each now. */
async function servicesByUpn(trx: TransactionClientContract, customerId: number, nowSql: string) {
  const services = await trx
    .from('services as s')
    .leftJoin('assignments as a', (j) => {
      j.on('a.service_id', 's.id').andOnVal('a.starts_at', '<=', nowSql)
    })
    .where('s.customer_id', customerId)
    .where('s.kind', 'm365_user')
    .where((q) => q.whereNull('a.ends_at').orWhere('a.ends_at', '>', nowSql))
    .select('s.id', 's.identifier', 'a.employee_id')
  const serviceOf = new Map<string, HeldService>()
  for (const s of services) {
    serviceOf.set(String(s.identifier).toLowerCase(), {
      id: Number(s.id),
      employeeId: s.employee_id ? Number(s.employee_id) : null,
    })
  }
  return serviceOf
}

/** Each user's assigned licences by the charge's external_ref (SKU id and UPN). */
function wantedLicences(users: GraphUser[], skus: Sku[]) {
  const skuById = new Map(skus.map((s) => [s.skuId.toLowerCase(), s]))
  const wanted = new Map<string, WantedLicence>()
  for (const u of users) {
    const upn = normaliseUpn(u.userPrincipalName ?? '')
    if (!upn) continue
    for (const l of u.assignedLicenses ?? []) {
      const sku = skuById.get(String(l.skuId).toLowerCase()) ?? {
        skuId: l.skuId,
        skuPartNumber: l.skuId,
      }
      wanted.set(`${String(l.skuId).toLowerCase()}:${upn}`.slice(0, 128), { upn, sku })
    }
  }
  return wanted
}

/** The customer's licence charges from earlier snapshots still running, by external_ref (lower-case). */
async function openCharges(trx: TransactionClientContract, customerId: number, today: string) {
  const existing: ChargeRow[] = await trx
    .from('recurring_charges')
    .where('customer_id', customerId)
    .where('origin', 'm365')
    .where((q) => q.whereNull('ends_on').orWhere('ends_on', '>=', today))
    .select(
      'id',
      'external_ref',
      'employee_id',
      'service_id',
      'unit_price_e4',
      'unit_cost_e4',
      'description',
      'ends_on'
    )
  const open = new Map<string, ChargeRow>()
  for (const row of existing)
    if (row.ends_on === null) open.set(String(row.external_ref).toLowerCase(), row)
  return open
}

/** The charge a licence should have now: its holder, its price (0 when unpriced) and its name. */
function chargeValues(sku: Sku, service: HeldService | undefined, settings: Settings) {
  const prices = priceOf(settings, sku.skuPartNumber)
  const names: Record<string, string> = settings.skuNames ?? {}
  const description = (names[sku.skuPartNumber] || sku.skuPartNumber).slice(0, 200)
  const values: ChargeValues = {
    employee_id: service?.employeeId ?? null,
    service_id: service?.id ?? null,
    unit_price_e4: prices?.price ?? 0,
    unit_cost_e4: prices?.cost ?? 0,
    description,
  }
  return { values, priced: prices !== null }
}

function hasChanged(current: ChargeRow, values: ChargeValues) {
  return (
    Number(current.unit_price_e4) !== values.unit_price_e4 ||
    Number(current.unit_cost_e4) !== values.unit_cost_e4 ||
    (current.employee_id ?? null) !== values.employee_id ||
    (current.service_id ?? null) !== values.service_id ||
    current.description !== values.description
  )
}

async function startCharge(
  trx: TransactionClientContract,
  context: LicenceContext,
  ref: string,
  values: ChargeValues
) {
  await trx.table('recurring_charges').insert({
    customer_id: context.customerId,
    ...values,
    category: 'licence',
    quantity: 1,
    starts_on: context.today,
    ends_on: null,
    origin: 'm365',
    external_ref: ref,
    created_at: context.nowSql,
    updated_at: context.nowSql,
  })
}
