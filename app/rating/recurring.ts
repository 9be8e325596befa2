import { DateTime } from 'luxon'
import { divRoundHalfUp } from '#lib/money'

/**
 * Recurring charges (pure). Decision, also in README, "Rating and tariffs":
 * the invoice for period P (usage of month P) carries recurring charges for
 * month P + 1 when the customer is billed in advance (the default), and for
 * month P itself when billed in arrears. A part month is pro-rata by days:
 * unit price × quantity × active days ÷ days in month, rounded half-up to e4.
 * The charge is active on every day from startsOn to endsOn, both included
 * (endsOn null = open-ended).
 */

type DateLike = DateTime | Date | string | null | undefined

export interface RecurringChargeLike {
  quantity: number
  unitPriceE4: number
  startsOn: DateLike
  endsOn?: DateLike
}

export interface RecurringAmount {
  month: string
  activeDays: number
  daysInMonth: number
  amountE4: number
}

/**
 * A date column as "YYYY-MM-DD" whatever the driver gave (Date from MySQL, epoch ms or text from
 * SQLite, a Luxon DateTime from a model), or null.
 */
export function dateOnly(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null
  if (DateTime.isDateTime(value)) return value.toISODate()
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === 'number') return new Date(value).toISOString().slice(0, 10)
  return String(value).slice(0, 10)
}

function toIsoDate(value: DateLike): string | null {
  const date = dateOnly(value)
  if (date !== null && !/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw new SyntaxError(`"${value}" is not a date`)
  return date
}

function parseMonth(month: string): { year: number; month: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(month)
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12)
    throw new SyntaxError(`"${month}" is not a YYYY-MM month`)
  return { year: Number(m[1]), month: Number(m[2]) }
}

/** The last day of a "YYYY-MM" month as "YYYY-MM-DD". */
export function lastDayOfMonth(month: string): string {
  const { year, month: mm } = parseMonth(month)
  return `${month}-${String(new Date(Date.UTC(year, mm, 0)).getUTCDate()).padStart(2, '0')}`
}

/** "2026-01" + n months → "YYYY-MM". */
export function addMonths(month: string, n: number): string {
  const { year, month: mm } = parseMonth(month)
  const index = year * 12 + (mm - 1) + n
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}

/** The month whose recurring charges go on the invoice for usage period `period`. */
export function recurringMonthFor(period: string, mode: 'advance' | 'arrears' = 'advance'): string {
  parseMonth(period)
  return mode === 'arrears' ? period : addMonths(period, 1)
}

/** The charge for one calendar month, pro-rata by active days. */
export function recurringForMonth(charge: RecurringChargeLike, month: string): RecurringAmount {
  const { year, month: mm } = parseMonth(month)
  const daysInMonth = new Date(Date.UTC(year, mm, 0)).getUTCDate()
  const first = `${month}-01`
  const last = `${month}-${String(daysInMonth).padStart(2, '0')}`
  const starts = toIsoDate(charge.startsOn) ?? first
  const ends = toIsoDate(charge.endsOn ?? null)
  const from = starts > first ? starts : first
  const to = ends !== null && ends < last ? ends : last
  let activeDays = 0
  if (from <= to) activeDays = Number(to.slice(8, 10)) - Number(from.slice(8, 10)) + 1
  const amountE4 =
    activeDays === 0
      ? 0
      : divRoundHalfUp(
          Number(charge.unitPriceE4) * Number(charge.quantity) * activeDays,
          daysInMonth
        )
  return { month, activeDays, daysInMonth, amountE4 }
}
