import type { Message } from '@adonisjs/mail'

/**
 * How an invoice or credit note email is put together: HTML and text bodies, the document's
 * PDF attached under its number, replies going to the supplier's address when it has one.
 */
export function documentMessage(parts: { subject: string; html: string; text: string; pdf: Buffer; number: string; replyTo?: unknown }) {
  return (message: Message, to: string, messageId: string) => {
    message
      .to(to)
      .subject(parts.subject)
      .messageId(messageId)
      .html(parts.html)
      .text(parts.text)
      .attachData(parts.pdf, { filename: `${parts.number}.pdf`, contentType: 'application/pdf' })
    if (parts.replyTo) message.replyTo(String(parts.replyTo))
  }
}
