import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { getSettings, setSettings, isOn, type BillingSettings } from '#billing/settings'
import { settingsValidator } from '#validators/billing'
import { audit } from '#lib/audit'
import { overridesDir } from '#documents/templates'

export default class SettingsController {
  async show({ inertia }: HttpContext) {
    const settings = await getSettings()
    return inertia.render('settings/index', {
      settings: { ...settings, auto_finalize: isOn(settings.auto_finalize), auto_send: isOn(settings.auto_send) },
      overridesDir: overridesDir(),
    })
  }

  async update({ request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(settingsValidator)
    const before = await getSettings()
    const values: Partial<BillingSettings> = {}
    for (const [key, value] of Object.entries(input)) {
      ;(values as any)[key] = typeof value === 'boolean' ? String(value) : (value ?? '')
    }
    values.auto_finalize = String(Boolean(input.auto_finalize))
    values.auto_send = String(Boolean(input.auto_send))
    await db.transaction(async (trx) => {
      await setSettings(values, trx)
      const changes = Object.fromEntries(Object.entries(values).filter(([k, v]) => (before as any)[k] !== v).map(([k, v]) => [k, { from: (before as any)[k], to: v }]))
      await audit({ userId: auth.user!.id, action: 'settings.update', subjectType: 'settings', changes }, trx)
    })
    session.flash('success', 'Settings saved')
    return response.redirect('/settings')
  }
}
