import type { HttpContext } from '@adonisjs/core/http'
import { sendDownload } from '#lib/downloads'
import { EInvoiceError } from '#einvoice/errors'

/** Why no UBL was sent, as the HTTP status both the admin pages and the REST API answer with. */
export interface UblRefusal {
  status: 404 | 422
  field: string
  message: string
}

/**
 * Sends a UBL document, or hands the refusal to `refused`: an unknown document is 404, anything
 * a clerk can fix (draft, missing country, …) 422 naming the field. Each caller keeps its own body
 * shape; the mapping is the same.
 */
export async function sendUbl(
  response: HttpContext['response'],
  make: () => Promise<{ filename: string; xml: string }>,
  refused: (refusal: UblRefusal) => unknown
) {
  try {
    const { filename, xml } = await make()
    return sendDownload(response, {
      filename,
      contentType: 'application/xml; charset=utf-8',
      body: xml,
    })
  } catch (error) {
    if (!(error instanceof EInvoiceError)) throw error
    return refused({
      status: error.code === 'not_found' ? 404 : 422,
      field: error.field,
      message: error.message,
    })
  }
}
