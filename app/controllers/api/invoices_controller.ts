import type { HttpContext } from '@adonisjs/core/http'
import Invoice from '#models/invoice'
import { invoicePdfBytes } from '#documents/invoice_pdf'
import { creditNotePdfBytes } from '#documents/credit_note_pdf'
import { acknowledgeFlags, FlagError } from '#billing/flags'
import { issueCreditNote } from '#deliveries/credit_note_issue'
import { BillingError } from '#billing/runs'
import { creditNoteValidator } from '#validators/billing'
import { parseDecimal } from '#lib/money'
import logger from '@adonisjs/core/services/logger'
import { billingRefusal } from '#controllers/api/billing_errors'
import {
  apiAcknowledgeValidator,
  apiInvoicesQueryValidator,
  apiPaymentsQueryValidator,
} from '#validators/api'
import {
  creditNotePage,
  creditNoteWithCurrency,
  invoicePage,
  invoiceWithLines,
} from '#api/billing_resources'
import { actorOf, paging, unprocessable } from '#controllers/api/helpers'
import { sendDownload } from '#lib/downloads'
import { creditNoteUbl, invoiceUbl } from '#einvoice/ubl_documents'
import { sendUbl } from '#controllers/ubl_downloads'

function sendPdf(response: HttpContext['response'], bytes: Buffer, name: string) {
  return sendDownload(response, { filename: name, contentType: 'application/pdf', body: bytes })
}

/** A UBL document, or the clerk's reason it cannot be made in the API's error shape. */
function sendApiUbl(
  response: HttpContext['response'],
  make: () => Promise<{ filename: string; xml: string }>
) {
  return sendUbl(response, make, (refusal) =>
    refusal.status === 404
      ? response.notFound({ errors: [{ message: refusal.message }] })
      : unprocessable(response, refusal.field, refusal.message)
  )
}

/** Invoices and credit notes: JSON, their PDFs (the same bytes the admin download serves). */
export default class ApiInvoicesController {
  async index({ request }: HttpContext) {
    const input = await request.validateUsing(apiInvoicesQueryValidator, { data: request.qs() })
    return invoicePage({
      ...paging(input),
      customerId: input.customerId,
      period: input.period,
      status: input.status,
    })
  }

  async show({ params }: HttpContext) {
    return { data: await invoiceWithLines(await Invoice.findOrFail(params.id)) }
  }

  async pdf({ params, response }: HttpContext) {
    const invoice = await Invoice.findOrFail(params.id)
    const { bytes } = await invoicePdfBytes(invoice.id)
    return sendPdf(response, bytes, `${invoice.number ?? `draft-${invoice.id}`}.pdf`)
  }

  async acknowledge({ params, request, response, auth }: HttpContext) {
    const invoice = await Invoice.findOrFail(params.id)
    const input = await request.validateUsing(apiAcknowledgeValidator)
    try {
      const { acknowledged } = await acknowledgeFlags(
        invoice.id,
        input.reason,
        actorOf(auth).userId
      )
      return { data: { invoiceId: invoice.id, acknowledged } }
    } catch (error) {
      if (!(error instanceof FlagError)) throw error
      return unprocessable(response, 'reason', error.message)
    }
  }

  /** Credits a finalized invoice (all that is left, or `amount` net) as the invoice page does; emailed when auto-send is on. */
  async storeCreditNote({ params, request, response, auth }: HttpContext) {
    const invoice = await Invoice.findOrFail(params.id)
    const input = await request.validateUsing(creditNoteValidator)
    try {
      const { note, sending } = await issueCreditNote({
        invoiceId: invoice.id,
        reason: input.reason,
        netMinor: input.amount ? parseDecimal(input.amount, 2) : undefined,
        userId: actorOf(auth).userId,
      })
      sending?.catch((error) =>
        logger.error({ err: error }, `sending credit note ${note.number} failed`)
      )
      return response.created({ data: await creditNoteWithCurrency(note.id) })
    } catch (error) {
      if (!(error instanceof BillingError)) throw error
      return billingRefusal(response, error)
    }
  }

  async creditNotes({ request }: HttpContext) {
    const input = await request.validateUsing(apiPaymentsQueryValidator, { data: request.qs() })
    return creditNotePage({ ...paging(input), customerId: input.customerId })
  }

  async creditNote({ params }: HttpContext) {
    return { data: await creditNoteWithCurrency(Number(params.id)) }
  }

  async ubl({ params, response }: HttpContext) {
    return sendApiUbl(response, () => invoiceUbl(Number(params.id)))
  }

  async creditNoteUbl({ params, response }: HttpContext) {
    return sendApiUbl(response, () => creditNoteUbl(Number(params.id)))
  }

  async creditNotePdf({ params, response }: HttpContext) {
    const note = await creditNoteWithCurrency(Number(params.id))
    const { bytes } = await creditNotePdfBytes(note.id)
    return sendPdf(response, bytes, `${note.number}.pdf`)
  }
}
