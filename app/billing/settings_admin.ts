import db from '@adonisjs/lucid/services/db'
import { audit } from '#lib/audit'
import { getSettings, isOn, setSettings, type BillingSettings } from '#billing/settings'

/** The billing settings page: its read model and its one write (audited with before → after). */

export type SettingsPageProps = {
  settings: Omit<BillingSettings, 'auto_finalize' | 'auto_send'> & {
    auto_finalize: boolean
    auto_send: boolean
  }
  /** Where template overrides are read from (shown so an admin knows where to put them). */
  overridesDir: string
}

/** `overridesDir`: documents' template override folder (billing may not import documents). */
export async function settingsPageProps(overridesDir: string): Promise<SettingsPageProps> {
  const settings = await getSettings()
  return {
    settings: {
      ...settings,
      auto_finalize: isOn(settings.auto_finalize),
      auto_send: isOn(settings.auto_send),
    },
    overridesDir,
  }
}

/** Stores the form's values (booleans as "true"/"false", blanks as ""); the audit entry lists what changed. */
export async function updateSettings(
  input: Record<string, string | number | boolean | null | undefined>,
  userId: number | null
): Promise<void> {
  const before = await getSettings()
  const values: Record<string, string> = {}
  for (const [key, value] of Object.entries(input)) {
    values[key] = typeof value === 'boolean' ? String(value) : String(value ?? '')
  }
  values.auto_finalize = String(Boolean(input.auto_finalize))
  values.auto_send = String(Boolean(input.auto_send))
  await db.transaction(async (trx) => {
    await setSettings(values as Partial<BillingSettings>, trx)
    const previous = before as unknown as Record<string, string>
    const changes = Object.fromEntries(
      Object.entries(values)
        .filter(([k, v]) => previous[k] !== v)
        .map(([k, v]) => [k, { from: previous[k], to: v }])
    )
    await audit({ userId, action: 'settings.update', subjectType: 'settings', changes }, trx)
  })
}
