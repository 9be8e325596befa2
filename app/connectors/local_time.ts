import { DateTime, IANAZone } from 'luxon'
import { normaliseNumber, dialledDigits } from '#lib/identifiers'

/**
 * Fast wall-clock → UTC conversion for big files. Luxon is exact but slow per
 * row, so the zone offset is looked up once per local hour and cached; the
 * result is identical to Luxon's for every time outside a DST transition hour
 * and Luxon decides the transition hour itself.
 */
export class ZoneClock {
  private offsets = new Map<string, number>()
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
    const naive = Date.UTC(y, mo - 1, d, h, mi, s)
    const check = new Date(naive)
    if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return null
    const key = `${y}-${mo}-${d}-${h}`
    let offset = this.offsets.get(key)
    if (offset === undefined) {
      const dt = DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: 30 }, { zone: this.zone })
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
      const b = DateTime.fromMillis(hour * 3_600_000 + 3_599_999, { zone: this.periodZone }).toFormat('yyyy-MM')
      if (a !== b) return DateTime.fromMillis(ms, { zone: this.periodZone }).toFormat('yyyy-MM')
      p = a
      if (this.periods.size > 50_000) this.periods.clear()
      this.periods.set(hour, p)
    }
    return p
  }
}

const SQL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?$/

/** Parses "YYYY-MM-DD HH:MM:SS" local time to UTC ms, or null. */
export function parseSqlLocal(text: string, clock: ZoneClock): number | null {
  const m = SQL_TIME.exec(text)
  if (!m) return null
  return clock.toUtcMs(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6])
}

/** "YYYY-MM-DD HH:MM:SS" in UTC, the way the database stores occurred_at. */
export function utcSql(ms: number): string {
  const iso = new Date(ms).toISOString()
  return iso.slice(0, 10) + ' ' + iso.slice(11, 19)
}

/**
 * normaliseNumber() with a bounded cache: call records repeat the same
 * extensions and destinations over and over, and libphonenumber costs ~20 µs a call.
 */
export class NumberCache {
  private cache = new Map<string, string | null>()
  constructor(private max = 200_000) {}

  normalise(raw: string): string | null {
    let v = this.cache.get(raw)
    if (v === undefined) {
      v = normaliseNumber(raw)
      if (this.cache.size >= this.max) this.cache.clear()
      this.cache.set(raw, v)
    }
    return v
  }

  /** A dialled number as E.164 digits (no plus) where it is a number, else the raw text. */
  destination(raw: string): string | null {
    const text = raw.trim()
    if (!text) return null
    const n = this.normalise(text)
    return n === null ? text.slice(0, 64) : dialledDigits(n)
  }
}
