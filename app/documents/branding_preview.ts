import db from '@adonisjs/lucid/services/db'
import type { BrandView } from '#documents/invoice_view'
import { renderInvoiceHtml } from '#documents/invoice_pdf'

/**
 * The branding page's live preview: the newest invoice (finalised first, else a draft) as HTML with
 * the colours and footer as typed; nothing is stored. Without any invoice a short note says so.
 */
export async function brandingPreview(brand: Partial<BrandView>): Promise<string> {
  const newest =
    (await db
      .from('invoices')
      .where('status', 'finalized')
      .orderBy('id', 'desc')
      .select('id')
      .first()) ?? (await db.from('invoices').orderBy('id', 'desc').select('id').first())
  if (!newest) {
    return '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Preview</title></head><body style="font-family:sans-serif;color:#475569;padding:24px"><p>The preview shows your newest invoice. There is none yet: build a billing run first.</p></body></html>'
  }
  const overrides = Object.fromEntries(
    Object.entries(brand).filter(([, v]) => v !== null && v !== undefined && v !== '')
  )
  const { html } = await renderInvoiceHtml(Number(newest.id), overrides)
  return html
}
