import type { HttpContext } from '@adonisjs/core/http'
import { confirmAddress, saveCustomerEInvoicing } from '#einvoice/customer_details'
import { addressReviewProps, customerEInvoicingProps } from '#einvoice/einvoice_views'
import { EInvoiceError } from '#einvoice/errors'
import { customerEInvoicingValidator } from '#validators/einvoice'
import { parseDecimal } from '#lib/money'

/** A customer's e-invoicing details, and the review of addresses the migration parsed. */
export default class EInvoiceCustomersController {
  async show({ params, inertia }: HttpContext) {
    return inertia.render('einvoice/customer', await customerEInvoicingProps(Number(params.id)))
  }

  async update({ params, request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(customerEInvoicingValidator)
    try {
      await saveCustomerEInvoicing(
        Number(params.id),
        {
          buyerReference: input.buyerReference,
          poNumber: input.poNumber,
          address: {
            street: input.street,
            additional: input.additional,
            city: input.city,
            postcode: input.postcode,
            region: input.region,
            country: input.country,
          },
          endpointScheme: input.endpointScheme,
          endpointId: input.endpointId,
          vatCategory: input.vatCategory,
          attachUbl: Boolean(input.attachUbl),
          rules: (input.rules ?? []).map((r) => ({
            category: r.category,
            vatCategory: r.vatCategory,
            rateBp: parseDecimal(r.rate, 2),
          })),
        },
        auth.user!.id
      )
    } catch (error) {
      if (!(error instanceof EInvoiceError)) throw error
      session.flash('errors', { [error.field]: error.message })
      session.flash('error', error.message)
      return response.redirect().back()
    }
    session.flash('success', 'E-invoicing details saved')
    return response.redirect(`/customers/${params.id}/e-invoicing`)
  }

  async review({ inertia }: HttpContext) {
    return inertia.render('einvoice/address_review', await addressReviewProps())
  }

  async confirm({ params, response, session, auth }: HttpContext) {
    try {
      await confirmAddress(Number(params.id), auth.user!.id)
      session.flash('success', 'Address confirmed')
    } catch (error) {
      if (!(error instanceof EInvoiceError)) throw error
      session.flash('error', error.message)
    }
    return response.redirect('/e-invoicing/address-review')
  }
}
