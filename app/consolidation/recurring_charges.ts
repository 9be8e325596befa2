import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import RecurringCharge from '#models/recurring_charge'
import { audit } from '#lib/audit'
import { refreshRecurringRollups } from '#consolidation/rollups'
import { addMonths } from '#rating/recurring'

/**
 * Hand-entered recurring charges (line rental, non-Microsoft licences, support …) of a customer.
 * Charges with origin 'm365' or 'mi_addon' belong to their sync and are read-only here.
 * Every change is audited and refreshes the customer's recurring rollups from the earliest start
 * date involved (old and new), so the insights follow.
 */

/** Categories staff may pick; 'mi_addon' is reserved for the MI add-on. Billing and insights print any category as is. */
export const MANUAL_CATEGORIES = ['line_rental', 'licence', 'support', 'storage', 'other'] as const
export type ManualCategory = (typeof MANUAL_CATEGORIES)[number]

export interface RecurringChargeInput {
  description: string
  category: ManualCategory
  quantity: number
  unitPriceE4: number
  unitCostE4: number
  startsOn: string
  endsOn?: string | null
  employeeId?: number | null
  serviceId?: number | null
}

/** A refusal the controller turns into 403 (managed by a sync) or 422 (field errors). */
export class RecurringChargeError extends Error {
  constructor(
    message: string,
    readonly status: 403 | 422,
    readonly field: string | null = null
  ) {
    super(message)
  }
}

/** Fixed once billed, with the form field each is entered in. */
const BILLED_FIELDS = {
  quantity: 'quantity',
  unitPriceE4: 'unitPrice',
  unitCostE4: 'unitCost',
  startsOn: 'startsOn',
} as const

function iso(value: DateTime | null | undefined): string | null {
  return value ? value.toISODate() : null
}

function snapshot(charge: RecurringCharge) {
  return {
    customerId: charge.customerId,
    description: charge.description,
    category: charge.category,
    quantity: charge.quantity,
    unitPriceE4: Number(charge.unitPriceE4),
    unitCostE4: Number(charge.unitCostE4),
    startsOn: iso(charge.startsOn),
    endsOn: iso(charge.endsOn),
    employeeId: charge.employeeId,
    serviceId: charge.serviceId,
    origin: charge.origin,
  }
}

/** Why a charge cannot be changed by hand (a sync keeps it), or null for a manual charge. */
export function managedChargeError(charge: RecurringCharge): RecurringChargeError | null {
  if (charge.origin === 'manual') return null
  return new RecurringChargeError(
    `This charge is managed by the ${charge.origin === 'm365' ? 'Microsoft 365 sync' : 'MI add-on'}; change it there`,
    403
  )
}

function assertManual(charge: RecurringCharge) {
  const error = managedChargeError(charge)
  if (error) throw error
}

/**
 * Whether any invoice (draft or final) of the customer may already carry this charge: a line that
 * references it (invoice_lines.recurring_charge_id), or — for lines written before lines referenced
 * charges — an invoice with recurring lines whose usage period bills a month the charge is active
 * in. That part is conservative: with advance billing period P bills month P + 1, with arrears
 * month P, so periods from (start month − 1) to the end month are counted.
 */
export async function isBilled(
  charge: RecurringCharge,
  client: QueryClientContract = db.connection()
) {
  // Lines record the charge they bill (a catch-up month may sit on an invoice after the charge ended).
  const direct = await client
    .from('invoice_lines')
    .where('recurring_charge_id', charge.id)
    .select('id')
    .first()
  if (direct) return true
  return billedIn(charge, await invoicedPeriods(charge.customerId, client))
}

/**
 * Usage periods (YYYY-MM, sorted) of the customer's invoices with recurring lines written before lines
 * recorded their charge and month: only those lines leave open which charges they billed.
 */
async function invoicedPeriods(customerId: number, client: QueryClientContract = db.connection()) {
  const rows = await client
    .from('invoices as i')
    .join('invoice_lines as l', 'l.invoice_id', 'i.id')
    .where('i.customer_id', customerId)
    .where('l.kind', 'recurring')
    .whereNull('l.recurring_month')
    .distinct('i.period')
  return rows.map((r: any) => String(r.period)).sort()
}

/** Ids of the customer's charges that an invoice line (draft or final) references. */
async function referencedChargeIds(
  customerId: number,
  client: QueryClientContract = db.connection()
) {
  const rows = await client
    .from('invoice_lines as l')
    .join('invoices as i', 'i.id', 'l.invoice_id')
    .where('i.customer_id', customerId)
    .whereNotNull('l.recurring_charge_id')
    .distinct('l.recurring_charge_id')
  return new Set(rows.map((r: any) => Number(r.recurring_charge_id)))
}

function billedIn(charge: RecurringCharge, periods: string[]) {
  const from = addMonths(charge.startsOn.toFormat('yyyy-MM'), -1)
  const to = charge.endsOn ? charge.endsOn.toFormat('yyyy-MM') : '9999-12'
  return periods.some((p) => p >= from && p <= to)
}

export async function createRecurringCharge(
  customerId: number,
  input: RecurringChargeInput,
  userId: number | null
) {
  const charge = await db.transaction(async (trx) => {
    const created = await RecurringCharge.create(
      {
        customerId,
        description: input.description,
        category: input.category,
        quantity: input.quantity,
        unitPriceE4: input.unitPriceE4,
        unitCostE4: input.unitCostE4,
        startsOn: DateTime.fromISO(input.startsOn),
        endsOn: input.endsOn ? DateTime.fromISO(input.endsOn) : null,
        employeeId: input.employeeId ?? null,
        serviceId: input.serviceId ?? null,
        origin: 'manual',
        externalRef: null,
      },
      { client: trx }
    )
    await audit(
      {
        userId,
        action: 'recurring_charge.create',
        subjectType: 'recurring_charge',
        subjectId: created.id,
        changes: snapshot(created),
      },
      trx
    )
    return created
  })
  await refreshRecurringRollups(customerId, [input.startsOn])
  return charge
}

/**
 * Edits a manual charge. Once billed, quantity, prices and start date are fixed (end the charge
 * and add a new one from the date the price changes); description, category, person, service and
 * end date may still change.
 */
export async function updateRecurringCharge(
  charge: RecurringCharge,
  input: RecurringChargeInput,
  userId: number | null
) {
  assertManual(charge)
  const oldStartsOn = iso(charge.startsOn)
  const billed = await isBilled(charge)
  const next = {
    description: input.description,
    category: input.category,
    quantity: input.quantity,
    unitPriceE4: input.unitPriceE4,
    unitCostE4: input.unitCostE4,
    startsOn: input.startsOn,
    endsOn: input.endsOn ?? null,
    employeeId: input.employeeId ?? null,
    serviceId: input.serviceId ?? null,
  }
  if (billed) {
    const current = snapshot(charge)
    for (const [field, formField] of Object.entries(BILLED_FIELDS) as [
      keyof typeof BILLED_FIELDS,
      string,
    ][]) {
      if (current[field] !== next[field]) {
        throw new RecurringChargeError(
          'Already invoiced: end this charge and add a new one to change quantity, price, cost or start date',
          422,
          formField
        )
      }
    }
  }
  const before = snapshot(charge)
  await db.transaction(async (trx) => {
    charge.useTransaction(trx).merge({
      ...next,
      startsOn: DateTime.fromISO(next.startsOn),
      endsOn: next.endsOn ? DateTime.fromISO(next.endsOn) : null,
    })
    const after = snapshot(charge)
    const changes: Record<string, { from: unknown; to: unknown }> = {}
    for (const key of Object.keys(after) as (keyof typeof after)[])
      if (before[key] !== after[key]) changes[key] = { from: before[key], to: after[key] }
    await charge.save()
    await audit(
      {
        userId,
        action: 'recurring_charge.update',
        subjectType: 'recurring_charge',
        subjectId: charge.id,
        changes,
      },
      trx
    )
  })
  await refreshRecurringRollups(charge.customerId, [oldStartsOn, next.startsOn])
  return charge
}

/** Ends a manual charge on `endsOn` (the last day it is charged, inclusive). */
export async function endRecurringCharge(
  charge: RecurringCharge,
  endsOn: string,
  userId: number | null
) {
  assertManual(charge)
  const startsOn = iso(charge.startsOn)!
  if (endsOn < startsOn)
    throw new RecurringChargeError(
      `The end date cannot be before the start date (${startsOn})`,
      422,
      'endsOn'
    )
  const previous = iso(charge.endsOn)
  await db.transaction(async (trx) => {
    charge.useTransaction(trx).endsOn = DateTime.fromISO(endsOn)
    await charge.save()
    await audit(
      {
        userId,
        action: 'recurring_charge.end',
        subjectType: 'recurring_charge',
        subjectId: charge.id,
        changes: { endsOn: { from: previous, to: endsOn } },
      },
      trx
    )
  })
  await refreshRecurringRollups(charge.customerId, [startsOn])
  return charge
}

/** Deletes a manual charge that was never billed; a billed charge can only be ended. */
export async function deleteRecurringCharge(charge: RecurringCharge, userId: number | null) {
  assertManual(charge)
  if (await isBilled(charge))
    throw new RecurringChargeError(
      'Already invoiced: end this charge instead of deleting it',
      422,
      'id'
    )
  const before = snapshot(charge)
  await db.transaction(async (trx) => {
    await audit(
      {
        userId,
        action: 'recurring_charge.delete',
        subjectType: 'recurring_charge',
        subjectId: charge.id,
        changes: before,
      },
      trx
    )
    await charge.useTransaction(trx).delete()
  })
  await refreshRecurringRollups(charge.customerId, [before.startsOn])
}

/** The charges of a customer for the list page, newest start first, with person, service and billed flag. */
export async function listRecurringCharges(customerId: number) {
  const charges = await RecurringCharge.query()
    .where('customer_id', customerId)
    .preload('employee')
    .preload('service')
    .orderBy('starts_on', 'desc')
    .orderBy('id', 'desc')
    .limit(2000)
  const periods = await invoicedPeriods(customerId)
  const referenced = await referencedChargeIds(customerId)
  return charges.map((c) => ({ charge: c, billed: referenced.has(c.id) || billedIn(c, periods) }))
}
