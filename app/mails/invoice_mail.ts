import type { Message } from '@adonisjs/mail'
import { loadTemplates } from '#documents/templates'
import { buildInvoiceView, loadInvoiceSource } from '#documents/invoice_view'

/** Composes the invoice email: HTML (resources/templates/email.hbs, overridable) and text, PDF attached. */
export async function composeInvoiceMail(invoiceId: number, pdf: Buffer) {
  const templates = loadTemplates()
  const source = await loadInvoiceSource(invoiceId)
  const view = buildInvoiceView(source)
  const html = templates.render('email', view)
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
  const subject = `Invoice ${view.number} from ${view.supplier.name} – ${view.period_label}`
  return {
    subject,
    view,
    apply(message: Message, to: string, messageId: string) {
      message
        .to(to)
        .subject(subject)
        .messageId(messageId)
        .html(html)
        .text(text)
        .attachData(pdf, { filename: `${view.number}.pdf`, contentType: 'application/pdf' })
      if (view.supplier.email) message.replyTo(String(view.supplier.email))
    },
  }
}
