/*
 * Field rules every validator shares, so that a date, a period or an amount means the same
 * on every form: a value that passes here can be used without another check (no RangeError
 * later from 2026-99-99, no float from "12.5").
 */
import vine from '@vinejs/vine'
import db from '@adonisjs/lucid/services/db'
import { parseDecimal } from '#lib/money'

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const PERIOD_RE = /^\d{4}-(0[1-9]|1[0-2])$/

/** True for a real day of the calendar written YYYY-MM-DD (not 2026-02-30). */
export function isCalendarDate(value: string) {
  const m = DATE_RE.exec(value)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.toISOString().slice(0, 10) === value
}

const calendarDateRule = vine.createRule((value, _options, field) => {
  if (typeof value !== 'string') return
  if (!isCalendarDate(value)) field.report('Enter a real date as YYYY-MM-DD', 'calendarDate', field)
})

const periodRule = vine.createRule((value, _options, field) => {
  if (typeof value !== 'string') return
  if (!PERIOD_RE.test(value)) field.report('Enter a month as YYYY-MM', 'period', field)
})

/** A real calendar date, YYYY-MM-DD. */
export const calendarDate = () => vine.string().trim().use(calendarDateRule())

/** A month, YYYY-MM. */
export const period = () => vine.string().trim().use(periodRule())

/**
 * An exact decimal ("12.50", "1,200") with at most `scale` decimal places, within [min, max]
 * in units of 10^-scale. The string is kept: callers convert with parseDecimal, never a float.
 */
export function decimalAt(
  scale: number,
  bounds: { min?: number; max?: number; message?: string } = {}
) {
  const rule = vine.createRule((value, _options, field) => {
    if (typeof value !== 'string') return
    let scaled: number
    try {
      scaled = parseDecimal(value, scale)
    } catch {
      field.report(
        bounds.message ?? `Enter a number with at most ${scale} decimal places`,
        'decimal',
        field
      )
      return
    }
    if (
      (bounds.min !== undefined && scaled < bounds.min) ||
      (bounds.max !== undefined && scaled > bounds.max)
    ) {
      field.report(bounds.message ?? 'The number is out of range', 'decimal', field)
    }
  })
  return vine.string().trim().use(rule())
}

/** An id of a row of `table` that belongs to the customer in `meta.customerId` (tenancy). */
export const ofCustomer = (table: 'employees' | 'services' | 'departments', label: string) =>
  vine.createRule(async (value, _options, field) => {
    if (typeof value !== 'number' || !field.isValid) return
    const row = await db
      .from(table)
      .where('id', value)
      .where('customer_id', field.meta.customerId)
      .select('id')
      .first()
    if (!row) field.report(`Choose ${label} of this customer`, 'ofCustomer', field)
  })
