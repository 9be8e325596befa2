import type { HttpContext } from '@adonisjs/core/http'
import { dashboardShowProps } from '#insights/overview'

/** The billing team's landing page: what was billed and earned, and what needs attention. */
export default class DashboardController {
  async show({ inertia }: HttpContext) {
    return inertia.render('dashboard/show', await dashboardShowProps())
  }
}
