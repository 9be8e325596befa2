import { DateTime, IANAZone } from 'luxon'
import type { Band } from '#rating/types'

const DAY_MS = 86_400_000
const BUCKET_MS = 900_000 // 15 minutes: every modern UTC offset and DST change falls on this grid
const PEAK_FROM = 8 * 3600 // 08:00:00
const PEAK_UNTIL = 18 * 3600 // up to 17:59:59

/**
 * Local-time facts for instants in one IANA time zone. Luxon computes the UTC
 * offset (DST-correct) once per 15-minute bucket; the rest is integer arithmetic,
 * so millions of calls cost one Map lookup each.
 */
export class ZoneClock {
  readonly zone: string
  // Direct-mapped cache of offsets per 15-minute bucket (4096 buckets ≈ 42 days).
  private tags = new Float64Array(4096).fill(Number.NaN)
  private values = new Float64Array(4096)

  constructor(zone: string) {
    if (!IANAZone.isValidZone(zone)) throw new RangeError(`unknown time zone "${zone}"`)
    this.zone = zone
  }

  /** UTC offset in ms at the instant (DST-correct). */
  offsetMs(utcMs: number): number {
    const bucket = Math.floor(utcMs / BUCKET_MS)
    const line = bucket & 4095
    if (this.tags[line] === bucket) return this.values[line]
    const offset = DateTime.fromMillis(bucket * BUCKET_MS, { zone: this.zone }).offset * 60_000
    // An offset change inside a bucket is impossible on the 15-minute grid, but be exact anyway.
    const end =
      DateTime.fromMillis(bucket * BUCKET_MS + BUCKET_MS - 1, { zone: this.zone }).offset * 60_000
    if (end !== offset) return DateTime.fromMillis(utcMs, { zone: this.zone }).offset * 60_000
    this.tags[line] = bucket
    this.values[line] = offset
    return offset
  }

  /** Days since 1970-01-01 of the local calendar date. */
  localDay(utcMs: number): number {
    return Math.floor((utcMs + this.offsetMs(utcMs)) / DAY_MS)
  }

  /** The band for an instant whose local time (utc + offset) is already known. */
  static bandOfLocal(local: number): Band {
    const day = Math.floor(local / DAY_MS)
    const dow = (((day + 4) % 7) + 7) % 7
    if (dow === 0 || dow === 6) return 'weekend'
    const secondOfDay = Math.floor((local - day * DAY_MS) / 1000)
    return secondOfDay >= PEAK_FROM && secondOfDay < PEAK_UNTIL ? 'peak' : 'offpeak'
  }

  /** The time band of an instant: weekend Sat/Sun, peak Mon–Fri 08:00–17:59:59, offpeak otherwise. */
  band(utcMs: number): Band {
    const local = utcMs + this.offsetMs(utcMs)
    const day = Math.floor(local / DAY_MS)
    const dow = (((day + 4) % 7) + 7) % 7 // 0 = Sunday (1970-01-01 was a Thursday)
    if (dow === 0 || dow === 6) return 'weekend'
    const secondOfDay = Math.floor((local - day * DAY_MS) / 1000)
    return secondOfDay >= PEAK_FROM && secondOfDay < PEAK_UNTIL ? 'peak' : 'offpeak'
  }
}

/** "YYYY-MM-DD" → days since 1970-01-01. */
export function dayNumber(isoDate: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate)
  if (!m) throw new SyntaxError(`"${isoDate}" is not a YYYY-MM-DD date`)
  return Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS)
}

/** Days since 1970-01-01 → "YYYY-MM-DD". */
export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

const clocks = new Map<string, ZoneClock>()
/** A shared clock per zone (offset caches are reused across calls). */
export function clockFor(zone: string): ZoneClock {
  let clock = clocks.get(zone)
  if (!clock) {
    clock = new ZoneClock(zone)
    clocks.set(zone, clock)
  }
  return clock
}
