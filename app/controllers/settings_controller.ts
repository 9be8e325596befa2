import type { HttpContext } from '@adonisjs/core/http'
import { settingsPageProps, updateSettings } from '#billing/settings_admin'
import { settingsValidator } from '#validators/billing'
import { overridesDir } from '#documents/templates'

export default class SettingsController {
  async show({ inertia }: HttpContext) {
    return inertia.render('settings/index', await settingsPageProps(overridesDir()))
  }

  async update({ request, response, session, auth }: HttpContext) {
    await updateSettings(await request.validateUsing(settingsValidator), auth.user!.id)
    session.flash('success', 'Settings saved')
    return response.redirect('/settings')
  }
}
