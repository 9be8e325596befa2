import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import { invoiceHistoryProps } from '#payments/invoice_history'

/** A customer's invoice history: every invoice (drafts included), its email and its credit notes. */
export default class CustomerInvoicesController {
  async index({ inertia, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    return inertia.render('invoices/index', await invoiceHistoryProps(customer))
  }
}
