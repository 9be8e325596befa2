import db from '@adonisjs/lucid/services/db'

/**
 * Billing guard settings, kept in the `settings` key/value table (a missing key falls back to the default):
 *   guards.change_band_bp       a draft whose net differs from the last invoice or the trailing 3-month
 *                               average by more than this (basis points, default 2500 = 25%) is flagged
 *   guards.margin_drop_bp       a customer whose margin (price − cost) fell by more than this against the
 *                               last invoice is flagged (basis points, default 2000 = 20%)
 *   guards.shock_customer_minor bill-shock thresholds for a customer's month so far (minor units, comma
 *                               separated, default "50000,100000" = £500 and £1,000)
 *   guards.shock_employee_minor the same for one employee (default "10000,25000" = £100 and £250)
 */
export interface GuardSettings {
  changeBandBp: number
  marginDropBp: number
  shockCustomerMinor: number[]
  shockEmployeeMinor: number[]
}

export const GUARD_DEFAULTS: GuardSettings = {
  changeBandBp: 2500,
  marginDropBp: 2000,
  shockCustomerMinor: [50_000, 100_000],
  shockEmployeeMinor: [10_000, 25_000],
}

export const GUARD_KEYS: Record<keyof GuardSettings, string> = {
  changeBandBp: 'guards.change_band_bp',
  marginDropBp: 'guards.margin_drop_bp',
  shockCustomerMinor: 'guards.shock_customer_minor',
  shockEmployeeMinor: 'guards.shock_employee_minor',
}

/** "500, 1000.50" (pounds) or stored "50000,100050" (minor) → sorted distinct positive integers. */
export function parseThresholdList(raw: string): number[] {
  const values = raw
    .split(/[,;\s]+/)
    .filter(Boolean)
    .map((v) => Number(v))
  if (values.some((v) => !Number.isSafeInteger(v) || v <= 0))
    throw new Error(`"${raw}" is not a list of whole positive amounts`)
  return [...new Set(values)].sort((a, b) => a - b)
}

export async function guardSettings(): Promise<GuardSettings> {
  const rows = await db
    .from('settings')
    .whereIn('key', Object.values(GUARD_KEYS))
    .select('key', 'value')
  const raw = new Map(
    rows.map((r: any) => [String(r.key), r.value === null ? '' : String(r.value)])
  )
  const out: GuardSettings = { ...GUARD_DEFAULTS }
  const band = Number(raw.get(GUARD_KEYS.changeBandBp) ?? '')
  if (raw.get(GUARD_KEYS.changeBandBp) && Number.isSafeInteger(band) && band >= 0)
    out.changeBandBp = band
  const margin = Number(raw.get(GUARD_KEYS.marginDropBp) ?? '')
  if (raw.get(GUARD_KEYS.marginDropBp) && Number.isSafeInteger(margin) && margin >= 0)
    out.marginDropBp = margin
  for (const key of ['shockCustomerMinor', 'shockEmployeeMinor'] as const) {
    const value = raw.get(GUARD_KEYS[key])
    if (value) {
      try {
        out[key] = parseThresholdList(value)
      } catch {
        // a hand-edited bad value keeps the default rather than silencing alerts
      }
    }
  }
  return out
}

export async function saveGuardSettings(values: GuardSettings) {
  const rows = [
    { key: GUARD_KEYS.changeBandBp, value: String(values.changeBandBp) },
    { key: GUARD_KEYS.marginDropBp, value: String(values.marginDropBp) },
    { key: GUARD_KEYS.shockCustomerMinor, value: values.shockCustomerMinor.join(',') },
    { key: GUARD_KEYS.shockEmployeeMinor, value: values.shockEmployeeMinor.join(',') },
  ]
  await db.knexQuery().table('settings').insert(rows).onConflict('key').merge()
}
