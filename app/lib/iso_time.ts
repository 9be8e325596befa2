import type { DateTime } from 'luxon'

/**
 * A set DateTime column as ISO-8601, exactly as `toJSON()` serializes it. Luxon types `toISO()` as
 * nullable for an invalid DateTime; Lucid only hands out invalid ones for a corrupt column value,
 * which then shows as an empty cell (as the null it was before) rather than failing the page.
 */
export function isoOf(value: DateTime): string {
  return value.toISO() ?? ''
}

/** A set DATE column as "yyyy-MM-dd", as `toISODate()` gives it (the same caveat as `isoOf`). */
export function isoDayOf(value: DateTime): string {
  return value.toISODate() ?? ''
}
