import { DateTime } from 'luxon'
import { loadTemplates } from '#documents/templates'
import { creditNoteView } from '#documents/credit_note_pdf'
import { documentMessage, LOGO_CID } from '#mails/document_message'
import { branding, logoBytes } from '#documents/branding'
import { ublAttachment } from '#einvoice/mail_attachment'

/**
 * Composes the credit note email: HTML (resources/templates/email.hbs, its `credit_note`
 * branch; overridable) and text, the credit note PDF attached.
 */
export async function composeCreditNoteMail(creditNoteId: number, pdf: Buffer) {
  const templates = loadTemplates()
  const { view: doc } = await creditNoteView(creditNoteId, templates)
  const periodLabel = DateTime.fromFormat(doc.period, 'yyyy-MM').toFormat('MMMM yyyy')
  const view = {
    credit_note: true,
    number: doc.number,
    invoice_number: doc.invoice_number,
    period: doc.period,
    period_label: periodLabel,
    issue_date: doc.issue_date,
    reason: doc.reason,
    customer: doc.customer,
    supplier: doc.supplier,
    totals: { net: doc.net, tax: doc.tax, total: doc.total },
  }
  const brand = await branding()
  const logo = await logoBytes(brand)
  const html = templates.render('email', { ...view, email_logo: logo ? LOGO_CID : null })
  const text = [
    `Dear ${view.customer.name ?? ''},`,
    '',
    `Please find attached credit note ${view.number} against invoice ${view.invoice_number} (${periodLabel}).`,
    `Reason: ${view.reason}`,
    `Total credit: ${view.totals.total} (VAT included).`,
    `This credit note reduces the amount due on invoice ${view.invoice_number}.`,
    '',
    `Kind regards,`,
    String(view.supplier.name ?? ''),
  ].join('\n')
  const subject = `Credit note ${view.number} from ${view.supplier.name ?? ''} – invoice ${view.invoice_number}`
  return {
    subject,
    view,
    apply: documentMessage({
      subject,
      html,
      text,
      pdf,
      number: String(view.number),
      replyTo: view.supplier.email,
      senderName: brand.senderName,
      logo,
      extra: await ublAttachment('credit_note', creditNoteId),
    }),
  }
}
