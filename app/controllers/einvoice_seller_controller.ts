import type { HttpContext } from '@adonisjs/core/http'
import { saveSellerDetails } from '#einvoice/seller'
import { EInvoiceError } from '#einvoice/errors'
import { sellerPageProps } from '#einvoice/einvoice_views'
import { sellerEInvoicingValidator } from '#validators/einvoice'

/** The reseller's own e-invoicing details (Settings → E-invoicing). */
export default class EInvoiceSellerController {
  async show({ inertia }: HttpContext) {
    return inertia.render('einvoice/seller', await sellerPageProps())
  }

  async update({ request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(sellerEInvoicingValidator)
    try {
      await saveSellerDetails(input, auth.user!.id)
    } catch (error) {
      if (!(error instanceof EInvoiceError)) throw error
      session.flash('errors', { [error.field]: error.message })
      session.flash('error', error.message)
      return response.redirect().back()
    }
    session.flash('success', 'E-invoicing settings saved')
    return response.redirect('/settings/e-invoicing')
  }
}
