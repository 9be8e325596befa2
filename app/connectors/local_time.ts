import { DateTime, IANAZone } from 'luxon'
import { normaliseNumber } from '#lib/identifiers'
import { classifyDestination, type CompiledRules } from '#lib/destinations'

/**
 * Fast wall-clock → UTC conversion for big files. Luxon is exact but slow per
 * row, so the zone offset is looked up once per local hour and cached; the
 * result is identical to Luxon's for every time outside a DST transition hour
 * and Luxon decides the transition hour itself.
 */
export class ZoneClock {
  private offsets = new Map<number, number>()
  private periods = new Map<number, string>()
  constructor(
    readonly zone: string,
    readonly periodZone: string
  ) {
    if (!IANAZone.isValidZone(zone)) throw new Error(`unknown time zone "${zone}"`)
    if (!IANAZone.isValidZone(periodZone)) throw new Error(`unknown time zone "${periodZone}"`)
  }

  /** ms since epoch for local y-m-d h:mi:s in `zone`, or null when the fields are not a real time. */
  toUtcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number | null {
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null
    if (d > 28 && d > daysInMonth(y, mo)) return null
    const naive = Date.UTC(y, mo - 1, d, h, mi, s)
    // Numeric keys: a string key per row would be garbage for the collector on million-row files.
    const key = ((y * 100 + mo) * 100 + d) * 100 + h
    let offset = this.offsets.get(key)
    if (offset === undefined) {
      const dt = DateTime.fromObject(
        { year: y, month: mo, day: d, hour: h, minute: 30 },
        { zone: this.zone }
      )
      offset = dt.offset
      if (this.offsets.size > 50_000) this.offsets.clear()
      this.offsets.set(key, offset)
    }
    return naive - offset * 60_000
  }

  /** YYYY-MM of a UTC instant in the period zone. */
  period(ms: number): string {
    const hour = Math.floor(ms / 3_600_000)
    let p = this.periods.get(hour)
    if (p === undefined) {
      // Zones offset by a non-whole hour still change month on a whole UTC minute; check both ends.
      const a = DateTime.fromMillis(hour * 3_600_000, { zone: this.periodZone }).toFormat('yyyy-MM')
      const b = DateTime.fromMillis(hour * 3_600_000 + 3_599_999, {
        zone: this.periodZone,
      }).toFormat('yyyy-MM')
      if (a !== b) return DateTime.fromMillis(ms, { zone: this.periodZone }).toFormat('yyyy-MM')
      p = a
      if (this.periods.size > 50_000) this.periods.clear()
      this.periods.set(hour, p)
    }
    return p
  }
}

function daysInMonth(y: number, mo: number) {
  return new Date(Date.UTC(y, mo, 0)).getUTCDate()
}

const SQL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?$/

/** The number of `len` ASCII digits at `at`, or -1. */
function digitsAt(text: string, at: number, len: number): number {
  let n = 0
  for (let i = at; i < at + len; i++) {
    const c = text.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    n = n * 10 + c
  }
  return n
}

/** Parses "YYYY-MM-DD HH:MM:SS" local time to UTC ms, or null. */
export function parseSqlLocal(text: string, clock: ZoneClock): number | null {
  // The exact 19-character form (every row of a call file) is read without a regex match
  // array; other forms (fractions of a second, a "T") go through the pattern.
  if (text.length === 19) {
    const y = digitsAt(text, 0, 4)
    const mo = digitsAt(text, 5, 2)
    const d = digitsAt(text, 8, 2)
    const h = digitsAt(text, 11, 2)
    const mi = digitsAt(text, 14, 2)
    const s = digitsAt(text, 17, 2)
    const sep = text.charCodeAt(10)
    if (
      y >= 0 &&
      mo >= 0 &&
      d >= 0 &&
      h >= 0 &&
      mi >= 0 &&
      s >= 0 &&
      text[4] === '-' &&
      text[7] === '-' &&
      (sep === 32 || sep === 84) &&
      text[13] === ':' &&
      text[16] === ':'
    ) {
      return clock.toUtcMs(y, mo, d, h, mi, s)
    }
  }
  const m = SQL_TIME.exec(text)
  if (!m) return null
  return clock.toUtcMs(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6])
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'))
const DAY_MS = 86_400_000
const dayPrefixes = new Map<number, string>()

/** "YYYY-MM-DD HH:MM:SS" in UTC, the way the database stores occurred_at. */
export function utcSql(ms: number): string {
  // The date part is kept per day (a file spans a few dozen), the time of day is arithmetic:
  // formatting a Date for every row cost more than parsing the row.
  const day = Math.floor(ms / DAY_MS)
  let prefix = dayPrefixes.get(day)
  if (prefix === undefined) {
    const iso = new Date(day * DAY_MS).toISOString()
    if (iso.length !== 24) return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
    prefix = iso.slice(0, 10) + ' '
    if (dayPrefixes.size >= 10_000) dayPrefixes.clear()
    dayPrefixes.set(day, prefix)
  }
  const seconds = Math.floor((ms - day * DAY_MS) / 1000)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor(seconds / 60) % 60
  return prefix + TWO_DIGITS[h] + ':' + TWO_DIGITS[m] + ':' + TWO_DIGITS[seconds % 60]
}

/**
 * normaliseNumber() with a bounded cache: call records repeat the same
 * extensions and destinations over and over, and libphonenumber costs ~20 µs a call.
 */
export class NumberCache {
  private cache = new Map<string, string | null>()
  private destinations = new Map<string, DialledDestination>()
  constructor(
    private max = 200_000,
    private rules?: CompiledRules
  ) {}

  normalise(raw: string): string | null {
    let v = this.cache.get(raw)
    if (v === undefined) {
      v = normaliseNumber(raw)
      if (this.cache.size >= this.max) this.cache.clear()
      this.cache.set(raw, v)
    }
    return v
  }

  /**
   * A dialled destination by the one billable-destination rule (#lib/destinations):
   * a number as E.164 digits (no plus); anything else (extension, feature code, text)
   * kept as written, marked internal, and never priced.
   */
  dialled(raw: string): DialledDestination {
    let v = this.destinations.get(raw)
    if (v === undefined) {
      const d = classifyDestination(raw, this.rules)
      const text = raw.trim()
      v =
        d.kind === 'number'
          ? { value: d.digits, internal: false }
          : d.kind === 'none'
            ? NONE
            : { value: text, internal: true }
      if (this.destinations.size >= this.max) this.destinations.clear()
      this.destinations.set(raw, v)
    }
    return v
  }

  /** The stored destination text of dialled(). */
  destination(raw: string): string | null {
    return this.dialled(raw).value
  }
}

export interface DialledDestination {
  value: string | null
  internal: boolean
}
const NONE: DialledDestination = { value: null, internal: false }
