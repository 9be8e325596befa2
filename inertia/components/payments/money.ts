/**
 * Money typed into a form, read as integer minor units without floating point ("12.5" → 1250);
 * null when it is not an amount. Amounts are displayed with `money` from `#lib/format`.
 */
export function toMinor(text: string): number | null {
  const t = String(text ?? '')
    .trim()
    .replace(/,/g, '')
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(t)
  if (!m) return t === '' ? 0 : null
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

/** A timestamp in the viewer's zone, with the zone named. */
export function localTime(iso: string | null): string {
  if (!iso) return ''
  return new Date(iso).toLocaleString('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZoneName: 'short',
  })
}

export function longDate(day: string | null): string {
  if (!day) return ''
  const [y, m, d] = day.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  })
}
