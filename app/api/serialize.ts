import type { DateTime } from 'luxon'
import { formatMoney } from '#lib/money'
import { moneyE4, rate } from '#lib/format'

/** Invoice money: integer minor units (pence) with its currency and the figure as people read it. */
export interface ApiMoney {
  minor: number
  currency: string
  formatted: string
}
/** Usage prices and costs: ten-thousandths of the currency unit (exact, before invoice rounding). */
export interface ApiMoneyE4 {
  e4: number
  currency: string
  formatted: string
}
/** Rates: millionths of the currency unit per unit (minute, MB, message). */
export interface ApiRate {
  micros: number
  currency: string
  formatted: string
}

export const minor = (value: number, currency: string): ApiMoney => ({
  minor: Number(value),
  currency,
  formatted: formatMoney(Number(value), currency),
})
export const e4 = (value: number, currency: string): ApiMoneyE4 => ({
  e4: Number(value),
  currency,
  formatted: moneyE4(Number(value), currency),
})
export const micros = (value: number, currency: string, unit = 'min'): ApiRate => ({
  micros: Number(value),
  currency,
  formatted: rate(Number(value), unit, currency),
})

/** Instants as ISO 8601 in UTC; dates (issue, due, received) as YYYY-MM-DD. */
export const instant = (value: DateTime | null | undefined) =>
  value ? value.toUTC().toISO() : null
export const day = (value: DateTime | null | undefined) => (value ? value.toISODate() : null)

/** A database timestamp (Date on MySQL, text on SQLite, both UTC) as ISO 8601. */
export function sqlInstant(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value.toISOString()
  const text = String(value)
  return new Date(text.includes('T') ? text : `${text.replace(' ', 'T')}Z`).toISOString()
}
