/** Client-side formatting of integer minor units (no float arithmetic on money). */
const SYMBOLS: Record<string, string> = { GBP: '£', EUR: '€', USD: '$' }

export function money(minor: number | null | undefined, currency = 'GBP'): string {
  if (minor === null || minor === undefined) return ''
  const negative = minor < 0
  const digits = String(Math.abs(Math.trunc(minor))).padStart(3, '0')
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${negative ? '-' : ''}${SYMBOLS[currency] ?? currency + ' '}${whole}.${digits.slice(-2)}`
}

/** Chart axis value in major units (display only). */
export const major = (minor: number) => minor / 100

export function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${value.toFixed(1)}%`
}

export function withQuery(url: string, params: Record<string, string | number | null | undefined>) {
  const [path, existing] = url.split('?')
  const qs = new URLSearchParams(existing ?? '')
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') qs.delete(k)
    else qs.set(k, String(v))
  }
  const s = qs.toString()
  return s ? `${path}?${s}` : path
}

export const PALETTE = [
  '#0f766e',
  '#2563eb',
  '#d97706',
  '#dc2626',
  '#7c3aed',
  '#059669',
  '#db2777',
  '#64748b',
  '#0891b2',
  '#65a30d',
]
