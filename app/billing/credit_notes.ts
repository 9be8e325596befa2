import { DateTime } from 'luxon'
import { createHash } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import CreditNote from '#models/credit_note'
import Invoice from '#models/invoice'
import { audit } from '#lib/audit'
import { formatMoney, taxOn } from '#lib/money'
import { BillingError } from '#billing/runs'
import { formatNumber, takeNumbers } from '#billing/numbering'
import { getSettings } from '#billing/settings'
import { isMysql, retryOnDeadlock } from '#billing/db_helpers'
import { loadTemplates } from '#documents/templates'
import { withRenderer } from '#documents/pdf_renderer'
import { percent } from '#documents/invoice_view'

/**
 * Corrections to a finalized invoice are credit notes: numbered documents of
 * their own (gapless sequence "credit_note", prefix from settings). A credit
 * is for a net amount (default: whatever is left of the invoice); its VAT is
 * at the invoice's rate, and a full credit returns exactly the invoice's VAT.
 */
export async function createCreditNote(input: { invoiceId: number; reason: string; netMinor?: number; userId?: number | null }) {
  if (!input.reason?.trim()) throw new BillingError('A credit note needs a reason', 'invalid')
  const note = await retryOnDeadlock(() => db.transaction(async (trx) => {
    const q = Invoice.query({ client: trx }).where('id', input.invoiceId)
    if (isMysql(trx)) q.forUpdate()
    const invoice = await q.first()
    if (!invoice) throw new BillingError('Invoice not found', 'not_found')
    if (invoice.status !== 'finalized') throw new BillingError('Only a finalized invoice can be credited; change the draft instead', 'state')
    const credited = await trx.from('credit_notes').where('invoice_id', invoice.id).sum('subtotal_minor as net').sum('tax_minor as tax').first()
    const creditedNet = Number(credited?.net ?? 0)
    const creditedTax = Number(credited?.tax ?? 0)
    const remaining = invoice.subtotalMinor - creditedNet
    const net = input.netMinor ?? remaining
    if (!Number.isInteger(net) || net <= 0) throw new BillingError('The credit must be a positive amount', 'invalid')
    if (net > remaining) throw new BillingError(`At most ${formatMoney(remaining, invoice.currency)} is left to credit on ${invoice.number}`, 'invalid')
    const rateBp = Number(invoice.snapshot?.customer?.tax_rate_bp ?? 0)
    const tax = net === remaining ? invoice.taxMinor - creditedTax : taxOn(net, rateBp)
    const settings = await getSettings(trx)
    const [n] = await takeNumbers(trx, 'credit_note', 1)
    const created = await CreditNote.create(
      {
        invoiceId: invoice.id,
        number: formatNumber(settings.credit_note_prefix, n),
        reason: input.reason.trim().slice(0, 500),
        subtotalMinor: net,
        taxMinor: tax,
        totalMinor: net + tax,
        issueDate: DateTime.fromISO(DateTime.now().setZone(invoice.snapshot?.customer?.time_zone ?? 'Europe/London').toISODate()!, { zone: 'utc' }),
        pdfPath: null,
      },
      { client: trx }
    )
    await audit({ userId: input.userId, action: 'credit_note.create', subjectType: 'invoice', subjectId: invoice.id, changes: { number: created.number, net, tax } }, trx)
    return created
  }))
  await storeCreditNotePdf(note.id).catch(() => {})
  return CreditNote.findOrFail(note.id)
}

export async function renderCreditNoteHtml(creditNoteId: number) {
  const note = await CreditNote.findOrFail(creditNoteId)
  const invoice = await Invoice.findOrFail(note.invoiceId)
  const templates = loadTemplates()
  const snapshot = invoice.snapshot ?? {}
  const view = {
    logo: templates.logo,
    number: note.number,
    invoice_number: invoice.number,
    issue_date: note.issueDate.toFormat('d MMM yyyy'),
    reason: note.reason,
    supplier: snapshot.supplier ?? {},
    customer: snapshot.customer ?? {},
    vat_rate: percent(Number(snapshot.customer?.tax_rate_bp ?? 0)),
    net: formatMoney(note.subtotalMinor, invoice.currency),
    tax: formatMoney(note.taxMinor, invoice.currency),
    total: formatMoney(note.totalMinor, invoice.currency),
    period: invoice.period,
  }
  return { html: templates.render('credit_note', view), note }
}

export async function storeCreditNotePdf(creditNoteId: number) {
  const { html, note } = await renderCreditNoteHtml(creditNoteId)
  if (note.pdfPath) return note.pdfPath
  const pdf = await withRenderer((r) => r.render(html, { footer: note.number }), { pages: 1 })
  const key = `credit-notes/${note.id}-${createHash('sha256').update(pdf).digest('hex').slice(0, 16)}.pdf`
  await drive.use().put(key, pdf)
  await db.from('credit_notes').where('id', note.id).whereNull('pdf_path').update({ pdf_path: key })
  return key
}
