import {
  getCountryCallingCode,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js'
import { formatMoney, formatScaled } from './money.js'

/**
 * How numbers, quantities, times and phone numbers read on pages, PDFs and exports (en-GB).
 * A leaf importable from Vue pages as `#lib/format`: no Node-only code, no floats on money.
 */

export { formatMoney }

const SYMBOLS: Record<string, string> = { GBP: '£', EUR: '€', USD: '$' }
const GROUP = /\B(?=(\d{3})+(?!\d))/g

/** Minor units with currency at 2 dp; '' for null (an empty cell, not "£0.00"). */
export function money(minor: number | null | undefined, currency = 'GBP'): string {
  if (minor === null || minor === undefined) return ''
  return formatMoney(Math.trunc(minor), currency)
}

/** A 4 dp amount (record prices and costs) at 2 dp, rounded half-up. */
export function moneyE4(e4: number | null | undefined, currency = 'GBP'): string {
  if (e4 === null || e4 === undefined) return ''
  const minor = e4 < 0 ? -Math.floor((-e4 + 50) / 100) : Math.floor((e4 + 50) / 100)
  return formatMoney(minor, currency)
}

/** A value at `scale` dp with currency, trailing zeros trimmed down to 2 dp: "£0.0125", "£50.00". */
function scaledWithCurrency(value: number, scale: number, currency: string) {
  const plain = formatScaled(value, scale)
  const negative = plain.startsWith('-')
  let [whole, fraction] = plain.replace('-', '').split('.')
  fraction = (fraction ?? '').replace(/0+$/, '').padEnd(2, '0')
  return `${negative ? '-' : ''}${SYMBOLS[currency] ?? currency + ' '}${whole.replace(GROUP, ',')}.${fraction}`
}

/** A rate in micros at its own precision, labelled as a rate: "£0.0125 per minute". */
export function rate(micros: number | null | undefined, unit: string, currency = 'GBP'): string {
  if (micros === null || micros === undefined) return ''
  return `${scaledWithCurrency(micros, 6, currency)} ${unit}`
}

/** A 4 dp unit price (recurring charges) at its own precision, at least 2 dp. */
export function unitPriceE4(e4: number | null | undefined, currency = 'GBP'): string {
  if (e4 === null || e4 === undefined) return ''
  return scaledWithCurrency(e4, 4, currency)
}

/** A margin or markup in basis points: "12.5%". */
export function percentBp(bp: number | null | undefined): string {
  if (bp === null || bp === undefined) return '–'
  return `${formatScaled(bp, 2).replace(/\.?0+$/, '')}%`
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : String(Math.round(n)).replace(GROUP, ',')
}

/** One call's duration: "0:42", "12:05", "1:02:03". */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = String(s % 60).padStart(2, '0')
  return h ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`
}

/** A total of call time in minutes (rounded half-up): "1,234 min"; under a minute in seconds. */
export function minutes(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return ''
  if (seconds > 0 && seconds < 60) return `${Math.round(seconds)} s`
  return `${count(Math.floor((seconds + 30) / 60))} min`
}

/** Data volume in binary units as carriers bill it: "512 KB", "23.4 MB", "1.64 GB". */
export function dataVolume(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return ''
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`
  if (bytes >= 1024) return `${Math.ceil(bytes / 1024)} KB`
  return `${bytes} B`
}

const MESSAGE_CATEGORIES = new Set(['sms', 'mms'])
const SEAT_CATEGORIES = new Set(['licence'])

/** A quantity with its unit for a category: minutes for calls, MB/GB for data, messages, seats. */
export function quantity(
  category: string,
  q: { durationS?: number; volumeBytes?: number; quantity?: number }
): string {
  if (category === 'data' || (q.volumeBytes ?? 0) > 0) return dataVolume(q.volumeBytes ?? 0)
  if (MESSAGE_CATEGORIES.has(category)) return plural(q.quantity ?? 0, 'message')
  if (SEAT_CATEGORIES.has(category)) return plural(q.quantity ?? 0, 'seat')
  if ((q.durationS ?? 0) > 0) return minutes(q.durationS ?? 0)
  return plural(q.quantity ?? 0, 'item')
}

export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`
}

/** Dates, times and stored timestamps (Date, ISO string or "YYYY-MM-DD HH:MM:SS" in UTC). */
export type Instant = Date | string | number

export function toDate(value: Instant): Date {
  if (value instanceof Date) return value
  if (typeof value === 'number') return new Date(value)
  const sql = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(value)
  return new Date(sql ? `${sql[1]}T${sql[2]}Z` : value)
}

/** "14 Nov 2026, 09:32 GMT": in the given zone, with the zone named. */
export function dateTime(
  value: Instant | null | undefined,
  timeZone = 'Europe/London',
  withSeconds = false
): string {
  if (value === null || value === undefined || value === '') return ''
  const d = toDate(value)
  if (Number.isNaN(d.getTime())) return String(value)
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: withSeconds ? '2-digit' : undefined,
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(d)
  return text
}

/** "14 Nov 2026". A plain date ("2026-11-14") is a calendar date, not shifted by any zone. */
export function date(value: Instant | null | undefined, timeZone = 'Europe/London'): string {
  if (value === null || value === undefined || value === '') return ''
  const plain = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
  const d = plain ? new Date(`${value}T12:00:00Z`) : toDate(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: plain ? 'UTC' : timeZone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  }).format(d)
}

/** "2026-11" → "Nov 2026" (short) or "November 2026" (long). */
export function month(period: string | null | undefined, long = false): string {
  if (!period) return ''
  const [y, m] = period.split('-').map(Number)
  if (!y || !m) return period
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    month: long ? 'long' : 'short',
    year: 'numeric',
  }).format(new Date(Date.UTC(y, m - 1, 15)))
}

const regionNames =
  typeof Intl.DisplayNames === 'function'
    ? new Intl.DisplayNames(['en-GB'], { type: 'region' })
    : null

export interface DialledNumber {
  /** as a person writes it: national form at home, international form abroad; the raw text otherwise */
  display: string
  /** "United Kingdom", or '' when the number cannot be placed (extensions, short codes) */
  country: string
  countryCode: string | null
}

/** The dialled number, formatted with libphonenumber-js, and the country it belongs to. */
export function dialled(raw: string | null | undefined, home: CountryCode = 'GB'): DialledNumber {
  const text = String(raw ?? '').trim()
  if (!text) return { display: '', country: '', countryCode: null }
  const candidate =
    /^\d{10,15}$/.test(text) && !text.startsWith('0') ? `+${text}` : text.replace(/^00/, '+')
  const parsed = parsePhoneNumberFromString(candidate, home)
  if (!parsed || !parsed.isPossible()) return { display: text, country: '', countryCode: null }
  // Numbers in ranges the metadata cannot place (drama numbers, new ranges) belong to home when
  // they carry home's calling code.
  const cc =
    parsed.country ?? (parsed.countryCallingCode === getCountryCallingCode(home) ? home : null)
  const display = cc === home ? parsed.formatNational() : parsed.formatInternational()
  return { display, country: cc ? (regionNames?.of(cc) ?? cc) : '', countryCode: cc }
}
