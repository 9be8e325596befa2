import { createHash } from 'node:crypto'
import drive from '@adonisjs/drive/services/main'
import db from '@adonisjs/lucid/services/db'
import CreditNote from '#models/credit_note'
import Invoice from '#models/invoice'
import { formatMoney } from '#lib/money'
import { loadTemplates } from '#documents/templates'
import { withRenderer } from '#documents/pdf_renderer'
import { percent } from '#documents/invoice_view'
import {
  creditVatGroups,
  REVERSE_CHARGE_WORDING,
  VAT_CATEGORY_LABELS,
  vatGroups,
} from '#einvoice/vat'

/**
 * Credit note documents: HTML from resources/templates/credit_note.hbs, PDF
 * from Chromium, stored once on the drive as credit-notes/<id>-<sha256
 * prefix>.pdf (credit_notes.pdf_path is written only while unset).
 */

const KEY_RE = /^credit-notes\/\d+-([0-9a-f]{16})\.pdf$/

/** What credit_note.hbs (and the credit note email) prints: the note and the credited invoice's snapshot. */
export async function creditNoteView(creditNoteId: number, templates = loadTemplates()) {
  const note = await CreditNote.findOrFail(creditNoteId)
  const invoice = await Invoice.findOrFail(note.invoiceId)
  const snapshot = invoice.snapshot ?? {}
  const lines = await db
    .from('invoice_lines')
    .where('invoice_id', invoice.id)
    .select('amount_minor', 'tax_rate_bp', 'vat_category')
  const invoiceGroups = vatGroups(
    lines.map((l) => ({
      amountMinor: Number(l.amount_minor),
      taxRateBp: Number(l.tax_rate_bp),
      vatCategory: l.vat_category,
    }))
  )
  // The same VAT breakdown as the credit note's e-invoice (app/einvoice/ubl_documents.ts).
  const prior = await db
    .from('credit_notes')
    .where('invoice_id', invoice.id)
    .where('id', '<', note.id)
    .orderBy('id')
    .select('subtotal_minor')
  const groups = creditVatGroups(
    invoiceGroups,
    note,
    prior.map((p) => Number(p.subtotal_minor))
  )
  const view = {
    logo: templates.logo,
    number: note.number,
    invoice_number: invoice.number,
    issue_date: note.issueDate.toFormat('d MMM yyyy'),
    reason: note.reason,
    supplier: snapshot.supplier ?? {},
    customer: snapshot.customer ?? {},
    vat_rate: groups.map((g) => percent(g.rateBp)).join(' / '),
    taxes: groups.map((g) => ({
      label:
        g.category === 'S'
          ? `VAT at ${percent(g.rateBp)}`
          : `${VAT_CATEGORY_LABELS[g.category]} (${percent(g.rateBp)})`,
      net: formatMoney(g.taxableMinor, invoice.currency),
      tax: formatMoney(g.taxMinor, invoice.currency),
    })),
    several_vat_rates: groups.length > 1,
    reverse_charge: groups.some((g) => g.category === 'AE') ? REVERSE_CHARGE_WORDING : null,
    net: formatMoney(note.subtotalMinor, invoice.currency),
    tax: formatMoney(note.taxMinor, invoice.currency),
    total: formatMoney(note.totalMinor, invoice.currency),
    period: invoice.period,
  }
  return { note, invoice, view }
}

export async function renderCreditNoteHtml(creditNoteId: number) {
  const templates = loadTemplates()
  const { note, invoice, view } = await creditNoteView(creditNoteId, templates)
  return { html: templates.render('credit_note', view), note, invoice, view }
}

/** Renders and stores the credit note's PDF once; returns the stored key (the first one stored wins). */
export async function storeCreditNotePdf(creditNoteId: number): Promise<string> {
  const existing = await CreditNote.findOrFail(creditNoteId)
  if (existing.pdfPath) return existing.pdfPath
  const { html, note } = await renderCreditNoteHtml(creditNoteId)
  const pdf = await withRenderer((r) => r.render(html, { footer: note.number }), { pages: 1 })
  const key = `credit-notes/${note.id}-${createHash('sha256').update(pdf).digest('hex').slice(0, 16)}.pdf`
  await drive.use().put(key, pdf)
  const updated = await db
    .from('credit_notes')
    .where('id', note.id)
    .whereNull('pdf_path')
    .update({ pdf_path: key })
  if (Number(Array.isArray(updated) ? updated[0] : updated) === 1) return key
  // Someone stored it meanwhile: keep theirs, so the one document has one file.
  const fresh = await CreditNote.findOrFail(creditNoteId)
  if (fresh.pdfPath && fresh.pdfPath !== key)
    await drive
      .use()
      .delete(key)
      .catch(() => {})
  return fresh.pdfPath ?? key
}

/**
 * The stored PDF bytes of a credit note, rendering it first when missing. Only bytes whose
 * SHA-256 matches the prefix recorded in the key leave here (a concurrent writer of the same
 * key is waited for).
 */
export async function creditNotePdfBytes(
  creditNoteId: number
): Promise<{ bytes: Buffer; note: CreditNote }> {
  let note = await CreditNote.findOrFail(creditNoteId)
  if (note.pdfPath && !(await drive.use().exists(note.pdfPath))) {
    // The file went missing: make it again.
    await db
      .from('credit_notes')
      .where('id', note.id)
      .where('pdf_path', note.pdfPath)
      .update({ pdf_path: null })
    note.pdfPath = null
  }
  if (!note.pdfPath) {
    await storeCreditNotePdf(note.id)
    note = await CreditNote.findOrFail(creditNoteId)
  }
  const prefix = KEY_RE.exec(note.pdfPath!)?.[1] ?? null
  for (let attempt = 0; attempt < 50; attempt++) {
    const bytes = Buffer.from(await drive.use().getBytes(note.pdfPath!))
    if (!prefix || createHash('sha256').update(bytes).digest('hex').startsWith(prefix))
      return { bytes, note }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`The stored PDF of credit note ${note.number} does not match its recorded hash`)
}
