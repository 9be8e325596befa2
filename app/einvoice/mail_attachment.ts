import db from '@adonisjs/lucid/services/db'
import { creditNoteUbl, invoiceUbl } from '#einvoice/ubl_documents'

/**
 * The UBL file an invoice or credit note email carries when its customer asked for it
 * (customers.attach_ubl), else null. An EInvoiceError propagates: the delivery fails with the
 * clerk's message (shown on the Deliveries page) rather than quietly going without the file.
 */
export async function ublAttachment(
  kind: 'invoice' | 'credit_note',
  id: number
): Promise<{ filename: string; content: Buffer; contentType: string } | null> {
  const invoiceId =
    kind === 'invoice'
      ? id
      : Number(
          (await db.from('credit_notes').where('id', id).select('invoice_id').first())?.invoice_id
        )
  const row = await db
    .from('invoices')
    .join('customers', 'customers.id', 'invoices.customer_id')
    .where('invoices.id', invoiceId)
    .select('customers.attach_ubl')
    .first()
  if (!row || !row.attach_ubl) return null
  const { filename, xml } = kind === 'invoice' ? await invoiceUbl(id) : await creditNoteUbl(id)
  return { filename, content: Buffer.from(xml, 'utf8'), contentType: 'application/xml' }
}
