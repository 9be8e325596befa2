import db from '@adonisjs/lucid/services/db'

/**
 * Insights settings, kept in the `settings` key/value table; a missing key falls back to the default.
 *   insights.anomaly_threshold_minor  an anomaly must be above this amount (minor units, default 2500 = £25)
 *   insights.mi_addon_price_e4        monthly price of the management-information add-on (e4, default £50)
 *   insights.unused_licence_days      days without Microsoft 365 activity before a licence counts as unused (30)
 */
export const INSIGHTS_DEFAULTS = {
  anomalyThresholdMinor: 2500,
  miAddonPriceE4: 500_000,
  unusedLicenceDays: 30,
}

const KEYS = {
  anomalyThresholdMinor: 'insights.anomaly_threshold_minor',
  miAddonPriceE4: 'insights.mi_addon_price_e4',
  unusedLicenceDays: 'insights.unused_licence_days',
} as const

export type InsightsSettings = typeof INSIGHTS_DEFAULTS

export async function insightsSettings(): Promise<InsightsSettings> {
  const rows = await db.from('settings').whereIn('key', Object.values(KEYS)).select('key', 'value')
  const values = new Map(rows.map((r: any) => [String(r.key), r.value]))
  const result = { ...INSIGHTS_DEFAULTS }
  for (const [name, key] of Object.entries(KEYS) as [keyof InsightsSettings, string][]) {
    const raw = values.get(key)
    if (raw === null || raw === undefined || raw === '') continue
    const n = Number(raw)
    if (Number.isSafeInteger(n) && n >= 0) result[name] = n
  }
  return result
}
