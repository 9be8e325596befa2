import { createHash } from 'node:crypto'
import drive from '@adonisjs/drive/services/main'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import Invoice from '#models/invoice'
import { sqlTime } from '#lib/db_helpers'
import { loadTemplates } from '#documents/templates'
import { buildInvoiceView, loadInvoiceSource, type BrandView } from '#documents/invoice_view'
import { branding, logoDataUri } from '#documents/branding'
import { PdfRenderer, withRenderer } from '#documents/pdf_renderer'

/**
 * Invoice documents: HTML from the Handlebars templates, PDF from Chromium,
 * stored on the drive as invoices/<id>-<sha256 prefix>.pdf with the full hash
 * in invoices.pdf_sha256. A finalized invoice's PDF is made once and then
 * only read; a draft's preview PDF is replaced on every render.
 */

export async function renderInvoiceHtml(invoiceId: number, overrides: Partial<BrandView> = {}) {
  const templates = loadTemplates()
  const source = await loadInvoiceSource(invoiceId)
  const brand = await branding()
  // A logo uploaded in the browser wins over one dropped in the template override folder.
  const logo = (await logoDataUri(brand)) ?? templates.logo
  const view = buildInvoiceView(source, {
    logo,
    brand: {
      colour: brand.colour,
      light_colour: brand.lightColour,
      footer: brand.footer,
      ...overrides,
    },
  })
  return { html: templates.render('invoice', view), invoice: source.invoice, view }
}

export function storageKey(invoiceId: number, sha: string) {
  return `invoices/${invoiceId}-${sha.slice(0, 16)}.pdf`
}

/**
 * Where a stored file is, for people (what the CLI prints): its path on the fs disk, or
 * s3://bucket/key on the s3 disk.
 */
export function localPath(key: string) {
  if (process.env.DRIVE_DISK === 's3') return `s3://${process.env.S3_BUCKET || 'tollgate'}/${key}`
  return app.makePath(process.env.STORAGE_PATH || 'storage', key)
}

export interface StoredPdf {
  invoiceId: number
  key: string
  sha256: string
  bytes: number
}

export async function storeInvoicePdf(
  renderer: PdfRenderer,
  invoiceId: number,
  options: { force?: boolean } = {}
): Promise<StoredPdf> {
  const existing = await Invoice.findOrFail(invoiceId)
  if (existing.status === 'finalized' && existing.pdfPath && existing.pdfSha256 && !options.force) {
    return { invoiceId, key: existing.pdfPath, sha256: existing.pdfSha256, bytes: -1 }
  }
  const { html, invoice } = await renderInvoiceHtml(invoiceId)
  const pdf = await renderer.render(html, {
    footer: `${invoice.number ?? 'DRAFT'} · ${invoice.period}`,
  })
  const sha256 = createHash('sha256').update(pdf).digest('hex')
  const key = storageKey(invoice.id, sha256)
  // The key names the content: a complete file under it is this very document, and rewriting
  // it would briefly truncate it under a concurrent reader.
  const disk = drive.use()
  const stored = (await disk.exists(key)) ? Buffer.from(await disk.getBytes(key)) : null
  if (!stored || createHash('sha256').update(stored).digest('hex') !== sha256)
    await disk.put(key, pdf)
  const previous = invoice.pdfPath
  // Only the PDF columns change, and for a finalized invoice only while unset.
  const q = db.from('invoices').where('id', invoice.id).where('status', invoice.status)
  if (invoice.status === 'finalized') q.whereNull('pdf_path')
  const updated = await q.update({ pdf_path: key, pdf_sha256: sha256, updated_at: sqlTime() })
  const count = Number(Array.isArray(updated) ? updated[0] : updated)
  if (count === 0) {
    // Someone else stored it first (or the draft was finalized meanwhile): keep theirs.
    // The same document hashes to the same key, so ours is only removed when it differs.
    const fresh = await Invoice.findOrFail(invoiceId)
    if (key !== previous && key !== fresh.pdfPath)
      await drive
        .use()
        .delete(key)
        .catch(() => {})
    if (fresh.pdfPath && fresh.pdfSha256)
      return { invoiceId, key: fresh.pdfPath, sha256: fresh.pdfSha256, bytes: -1 }
    return storeInvoicePdf(renderer, invoiceId, options)
  }
  if (previous && previous !== key)
    await drive
      .use()
      .delete(previous)
      .catch(() => {})
  return { invoiceId, key, sha256, bytes: pdf.length }
}

/**
 * Renders the PDFs of many invoices with one browser and a small page pool.
 * Invoices that already have their final PDF are skipped.
 */
export async function storeInvoicePdfs(
  invoiceIds: number[],
  options: {
    renderer?: PdfRenderer
    concurrency?: number
    onProgress?: (done: number, total: number) => void
  } = {}
): Promise<Map<number, StoredPdf>> {
  const out = new Map<number, StoredPdf>()
  if (!invoiceIds.length) return out
  const work = async (renderer: PdfRenderer) => {
    let next = 0
    let done = 0
    const lanes = Math.max(1, options.concurrency ?? Number(process.env.PDF_PAGES ?? 2))
    await Promise.all(
      Array.from({ length: Math.min(lanes, invoiceIds.length) }, async () => {
        while (next < invoiceIds.length) {
          const id = invoiceIds[next++]
          out.set(id, await storeInvoicePdf(renderer, id))
          options.onProgress?.(++done, invoiceIds.length)
        }
      })
    )
  }
  if (options.renderer) await work(options.renderer)
  else await withRenderer(work)
  return out
}

/** The stored PDF bytes of an invoice, rendering it first when missing. */
export async function invoicePdfBytes(
  invoiceId: number
): Promise<{ bytes: Buffer; invoice: Invoice }> {
  let invoice = await Invoice.findOrFail(invoiceId)
  if (!invoice.pdfPath || !(await drive.use().exists(invoice.pdfPath))) {
    if (invoice.pdfPath && invoice.status === 'finalized') {
      // The file went missing: make it again and check it against the recorded hash.
      await db.from('invoices').where('id', invoice.id).update({ pdf_path: null })
    }
    await withRenderer((r) => storeInvoicePdf(r, invoiceId), { pages: 1 })
    invoice = await Invoice.findOrFail(invoiceId)
  }
  // Another request may be rewriting the same document (same hash, same key) at this moment:
  // only bytes that match the recorded hash leave here.
  for (let attempt = 0; attempt < 50; attempt++) {
    const bytes = Buffer.from(await drive.use().getBytes(invoice.pdfPath!))
    if (
      !invoice.pdfSha256 ||
      createHash('sha256').update(bytes).digest('hex') === invoice.pdfSha256
    )
      return { bytes, invoice }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`The stored PDF of invoice ${invoice.id} does not match its recorded hash`)
}
