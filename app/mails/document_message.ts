import type { Message } from '@adonisjs/mail'
import env from '#start/env'

/**
 * How an invoice or credit note email is put together: HTML and text bodies, the document's
 * PDF attached under its number, the customer's other billing contacts in copy, replies going
 * to the supplier's address when it has one.
 */
export const LOGO_CID = 'reseller-logo'

export function documentMessage(parts: {
  subject: string
  html: string
  text: string
  pdf: Buffer
  number: string
  replyTo?: unknown
  senderName?: string | null
  logo?: { bytes: Buffer; mime: string } | null
  extra?: { filename: string; content: Buffer; contentType: string } | null
}) {
  return (message: Message, to: string, messageId: string, cc: string[] = []) => {
    // The reseller's sender name (branding) on the configured From address.
    if (parts.senderName)
      message.from(env.get('MAIL_FROM', 'billing@reseller.example'), parts.senderName)
    message
      .to(to)
      .subject(parts.subject)
      .messageId(messageId)
      .html(parts.html)
      .text(parts.text)
      .attachData(parts.pdf, { filename: `${parts.number}.pdf`, contentType: 'application/pdf' })
    // The e-invoice (UBL) when the customer asked for it.
    if (parts.extra)
      message.attachData(parts.extra.content, {
        filename: parts.extra.filename,
        contentType: parts.extra.contentType,
      })
    // The reseller's logo travels inside the message (cid:logo), so mail clients show it without loading anything.
    if (parts.logo)
      message.embedData(parts.logo.bytes, LOGO_CID, {
        contentType: parts.logo.mime,
        filename: parts.logo.mime === 'image/png' ? 'logo.png' : 'logo.svg',
      })
    if (cc.length) message.cc(cc)
    if (parts.replyTo) message.replyTo(String(parts.replyTo))
  }
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/

/**
 * The addresses of a customer's "other billing contacts" text (one per line, or separated by commas
 * or semicolons; "Name <address>" allowed), without `to` and duplicates; anything else is ignored.
 */
export function copyAddresses(contacts: string | null | undefined, to: string): string[] {
  const seen = new Set([to.trim().toLowerCase()])
  const out: string[] = []
  for (const part of String(contacts ?? '').split(/[\n,;]+/)) {
    const address = (/<([^>]+)>/.exec(part)?.[1] ?? part).trim()
    if (!EMAIL.test(address) || seen.has(address.toLowerCase())) continue
    seen.add(address.toLowerCase())
    out.push(address)
  }
  return out
}
