import type { HttpContext } from '@adonisjs/core/http'
import { dunningPage } from '#payments/dunning_view'
import { saveDunningSettings } from '#payments/dunning_settings'
import { resendReminder } from '#payments/dunning'
import { dunningSettingsValidator } from '#validators/payments'

export default class DunningController {
  async index({ inertia }: HttpContext) {
    return inertia.render('payments/dunning', await dunningPage())
  }

  async update({ request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(dunningSettingsValidator)
    try {
      await saveDunningSettings(
        {
          enabled: Boolean(input.enabled),
          schedule: input.schedule,
          suspendPortal: Boolean(input.suspendPortal),
        },
        auth.user!.id
      )
      session.flash('success', 'Reminder settings saved')
    } catch (error) {
      if (!(error instanceof RangeError)) throw error
      session.flash('error', error.message)
      session.flashErrors({ schedule: error.message })
    }
    return response.redirect('/dunning')
  }

  async resend({ params, response, session, auth }: HttpContext) {
    try {
      await resendReminder(Number(params.id), auth.user!.id)
      session.flash('success', 'Reminder queued; the scheduler sends it on its next run')
    } catch (error: any) {
      session.flash('error', error.message)
    }
    return response.redirect('/dunning')
  }
}
