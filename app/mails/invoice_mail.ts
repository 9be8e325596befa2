import { loadTemplates } from '#documents/templates'
import { buildInvoiceView, loadInvoiceSource } from '#documents/invoice_view'
import { documentMessage, LOGO_CID } from '#mails/document_message'
import { branding, logoBytes } from '#documents/branding'
import { ublAttachment } from '#einvoice/mail_attachment'

/** Composes the invoice email: HTML (resources/templates/email.hbs, overridable) and text, PDF attached. */
export async function composeInvoiceMail(invoiceId: number, pdf: Buffer) {
  const templates = loadTemplates()
  const source = await loadInvoiceSource(invoiceId)
  const view = buildInvoiceView(source)
  const brand = await branding()
  const logo = await logoBytes(brand)
  const html = templates.render('email', { ...view, email_logo: logo ? LOGO_CID : null })
  const text = [
    `Dear ${view.customer.name},`,
    '',
    `Please find attached invoice ${view.number} for ${view.period_label}.`,
    `Total due: ${view.totals.total} by ${view.due_date}.`,
    '',
    String(view.supplier.payment_details ?? ''),
    '',
    `Kind regards,`,
    String(view.supplier.name ?? ''),
  ].join('\n')
  const extra = await ublAttachment('invoice', invoiceId)
  const subject = `Invoice ${view.number} from ${view.supplier.name} – ${view.period_label}`
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
      extra,
    }),
  }
}
