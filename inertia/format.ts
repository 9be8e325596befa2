/**
 * Display helpers shared by pages and the UI kit (money is `money` from `#lib/format`, the
 * formatter the server uses too).
 */
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
