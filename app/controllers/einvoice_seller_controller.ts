import type { HttpContext } from '@adonisjs/core/http'
import { saveSellerDetails, sellerDetails } from '#einvoice/seller'
import { EInvoiceError } from '#einvoice/errors'
import { ENDPOINT_SCHEMES } from '#einvoice/fields'
import { sellerEInvoicingValidator } from '#validators/einvoice'

/** The reseller's own e-invoicing details (Settings → E-invoicing). */
export default class EInvoiceSellerController {
  async show({ inertia }: HttpContext) {
    const details = await sellerDetails()
    return inertia.render('einvoice/seller', {
      seller: {
        ...Object.fromEntries(Object.entries(details.address).map(([k, v]) => [k, v ?? ''])),
        endpointScheme: details.endpoint?.scheme ?? '',
        endpointId: details.endpoint?.id ?? '',
        paymentAccountId: details.paymentAccount?.id ?? '',
        paymentAccountName: details.paymentAccount?.name ?? '',
      } as Record<
        | 'street'
        | 'additional'
        | 'city'
        | 'postcode'
        | 'region'
        | 'country'
        | 'endpointScheme'
        | 'endpointId'
        | 'paymentAccountId'
        | 'paymentAccountName',
        string
      >,
      schemes: Object.entries(ENDPOINT_SCHEMES).map(([code, label]) => ({ code, label })),
    })
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
