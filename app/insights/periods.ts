/** Month arithmetic on 'YYYY-MM' strings. */
export const PERIOD_RE = /^\d{4}-(0[1-9]|1[0-2])$/

export function isPeriod(value: unknown): value is string {
  return typeof value === 'string' && PERIOD_RE.test(value)
}

export function addMonths(period: string, n: number): string {
  const [y, m] = period.split('-').map(Number)
  const index = y * 12 + (m - 1) + n
  const year = Math.floor(index / 12)
  const month = (index % 12) + 1
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`
}

/** Every month from `from` to `to` inclusive (empty when from > to). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = []
  for (let p = from; p <= to && out.length < 1200; p = addMonths(p, 1)) out.push(p)
  return out
}

export function currentPeriod(now = new Date()): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`
}
