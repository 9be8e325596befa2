import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import { audit } from '#lib/audit'
import { parseDecimal } from '#lib/money'
import { assignCustomer, saveRate } from '#rating/tariffs'
import type { RateFields } from '#rating/types'

/**
 * The one write path for tariffs, their rates and allowances, as the admin UI and
 * the REST API change them: invariants, transaction and audit entry here; callers
 * only validate and report. Inputs are the VineJS outputs of app/validators/tariff.ts
 * (typed structurally: a capability does not import the HTTP layer).
 */

const now = () => DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')

export interface TariffInput {
  name: string
  currency: string
  /** Percentage with up to 2 decimals ("12.5" = 12.5%). */
  defaultMarkup: string
  description?: string
}

export interface RateInput {
  prefix: string
  destination: string
  category: string
  peak: string
  offpeak: string
  weekend: string
  connection?: string
  minimum?: string
  increments?: string
  effectiveFrom: string
}

export interface AllowanceInput {
  name: string
  categories: string
  unit: 'seconds' | 'kilobytes' | 'messages'
  quantity: number
  scope: 'service' | 'pooled'
}

/** The tariff asked for does not exist (HTTP 404). */
export class TariffNotFoundError extends Error {}

/** The change breaks a rule (name taken, still in use, empty prefix …); the message says which. */
export class TariffRuleError extends Error {
  constructor(
    message: string,
    readonly field: string | null = null
  ) {
    super(message)
  }
}

function tariffValues(input: TariffInput) {
  return {
    name: input.name,
    currency: input.currency,
    default_markup_bp: parseDecimal(input.defaultMarkup, 2),
    description: input.description ?? null,
  }
}

async function assertNameFree(
  name: string,
  exceptId: number | null,
  trx: TransactionClientContract
) {
  const q = trx.from('tariffs').where('name', name)
  if (exceptId !== null) q.whereNot('id', exceptId)
  if (await q.first()) throw new TariffRuleError(`A tariff named "${name}" already exists`, 'name')
}

async function lockedTariff(id: number, trx: TransactionClientContract) {
  const tariff = await trx.from('tariffs').where('id', id).forUpdate().first()
  if (!tariff) throw new TariffNotFoundError(`No tariff ${id}`)
  return tariff
}

/** Creates a sell tariff; returns its id. */
export async function createTariff(input: TariffInput, userId: number | null): Promise<number> {
  const values = tariffValues(input)
  return db.transaction(async (trx) => {
    await assertNameFree(input.name, null, trx)
    const stamp = now()
    await trx.table('tariffs').insert({ ...values, created_at: stamp, updated_at: stamp })
    const row = await trx.from('tariffs').where('name', input.name).select('id').first()
    await audit(
      {
        userId,
        action: 'tariff.created',
        subjectType: 'tariff',
        subjectId: Number(row.id),
        changes: values,
      },
      trx
    )
    return Number(row.id)
  })
}

/** Changes a tariff's header (a new markup applies to unbilled usage after a re-rate). */
export async function updateTariff(
  id: number,
  input: TariffInput,
  userId: number | null
): Promise<void> {
  const values = tariffValues(input)
  await db.transaction(async (trx) => {
    const tariff = await lockedTariff(id, trx)
    await assertNameFree(input.name, id, trx)
    await trx
      .from('tariffs')
      .where('id', id)
      .update({ ...values, updated_at: now() })
    const before = {
      name: tariff.name,
      currency: tariff.currency,
      default_markup_bp: Number(tariff.default_markup_bp),
      description: tariff.description,
    }
    await audit(
      {
        userId,
        action: 'tariff.updated',
        subjectType: 'tariff',
        subjectId: id,
        changes: { before, after: values },
      },
      trx
    )
  })
}

function settingsOf(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'string') return (raw ?? {}) as Record<string, unknown>
  try {
    return JSON.parse(raw)
  } catch {
    return {}
  }
}

/** Why a tariff cannot go: customers on it, records priced with it, or a connector costing with it. */
async function tariffInUse(
  tariff: { id: number; name: string },
  trx: TransactionClientContract
): Promise<string | null> {
  if (await trx.from('customer_tariffs').where('tariff_id', tariff.id).first())
    return 'customers are (or were) on it'
  if (await trx.from('usage_records').where('tariff_id', tariff.id).first())
    return 'usage records were priced with it'
  const connectors = await trx.from('connectors').select('settings')
  const costing = connectors.some((c: any) => {
    const s = settingsOf(c.settings)
    const ref = String(s.buyTariff ?? s.buyTariffId ?? '').trim()
    return ref === String(tariff.id) || ref === tariff.name
  })
  return costing ? 'a connector costs its feed with it' : null
}

/** Deletes an unused tariff with its rates and allowances; a tariff in use is refused (history must stay explainable). */
export async function deleteTariff(id: number, userId: number | null): Promise<void> {
  await db.transaction(async (trx) => {
    const tariff = await lockedTariff(id, trx)
    const use = await tariffInUse({ id, name: String(tariff.name) }, trx)
    if (use) throw new TariffRuleError(`Tariff ${tariff.name} cannot be deleted: ${use}`)
    const rates = Number((await trx.from('rates').where('tariff_id', id).count('* as n').first()).n)
    await trx.from('rates').where('tariff_id', id).delete()
    await trx.from('allowances').where('tariff_id', id).delete()
    await trx.from('tariffs').where('id', id).delete()
    await audit(
      {
        userId,
        action: 'tariff.deleted',
        subjectType: 'tariff',
        subjectId: id,
        changes: { name: tariff.name, rates },
      },
      trx
    )
  })
}

/** Rate form fields (currency units, "60/60" increments) → the stored micros. */
export function rateFieldsFrom(input: RateInput): RateFields {
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

/** Adds (or replaces) one rate from the form; returns the stored fields and the tariff's name. */
export async function saveRateFromForm(tariffId: number, input: RateInput, userId: number | null) {
  const tariff = await db.from('tariffs').where('id', tariffId).select('name').first()
  if (!tariff) throw new TariffNotFoundError('No such tariff')
  const fields = rateFieldsFrom(input)
  // Only usage without a dialled number (data sessions, messages) may match every destination.
  if (fields.prefix === '' && !['data', 'sms'].includes(fields.category)) {
    throw new TariffRuleError('Only data and sms rates may leave the prefix empty', 'prefix')
  }
  await saveRate(tariffId, fields, userId)
  return { fields, tariffName: String(tariff.name) }
}

/** Adds an allowance (bundled minutes, data or messages) to a tariff. */
export async function addAllowance(
  tariffId: number,
  input: AllowanceInput,
  userId: number | null
): Promise<void> {
  const values = {
    tariff_id: tariffId,
    name: input.name,
    categories: input.categories
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean)
      .join(','),
    unit: input.unit,
    quantity: input.quantity,
    scope: input.scope,
  }
  await db.transaction(async (trx) => {
    await lockedTariff(tariffId, trx)
    const stamp = now()
    await trx.table('allowances').insert({ ...values, created_at: stamp, updated_at: stamp })
    await trx.from('tariffs').where('id', tariffId).update({ updated_at: stamp })
    await audit(
      {
        userId,
        action: 'allowance.created',
        subjectType: 'tariff',
        subjectId: tariffId,
        changes: values,
      },
      trx
    )
  })
}

/** Removes one allowance of a tariff; false when there is no such allowance. */
export async function removeAllowance(
  tariffId: number,
  allowanceId: number,
  userId: number | null
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const allowance = await trx
      .from('allowances')
      .where({ id: allowanceId, tariff_id: tariffId })
      .first()
    if (!allowance) return false
    await trx.from('allowances').where('id', allowance.id).delete()
    await audit(
      {
        userId,
        action: 'allowance.deleted',
        subjectType: 'tariff',
        subjectId: tariffId,
        changes: { id: allowance.id, name: allowance.name },
      },
      trx
    )
    return true
  })
}

/** Puts a customer on a tariff from a date; names both for the confirmation. */
export async function assignTariff(
  tariffId: number,
  customerId: number,
  startsOn: string,
  userId: number | null
) {
  const tariff = await db.from('tariffs').where('id', tariffId).select('name').first()
  if (!tariff) throw new TariffNotFoundError('No such tariff')
  const customer = await db.from('customers').where('id', customerId).select('id', 'name').first()
  if (!customer) throw new TariffRuleError('No such customer')
  await assignCustomer(customerId, tariffId, startsOn, userId)
  return { customerName: String(customer.name), tariffName: String(tariff.name) }
}
