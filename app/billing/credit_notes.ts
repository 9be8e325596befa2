import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import CreditNote from '#models/credit_note'
import Invoice from '#models/invoice'
import { audit } from '#lib/audit'
import { formatMoney, taxOn } from '#lib/money'
import { BillingError } from '#billing/runs'
import { formatNumber, takeNumbers } from '#billing/numbering'
import { getSettings } from '#billing/settings'
import { isMysql, retryOnDeadlock } from '#lib/db_helpers'
import { recordWebhookEvent } from '#webhooks/events'
import { creditNotePayload } from '#webhooks/payloads'
import { billingHooks } from '#billing/hooks'
import { creditSplit, vatGroups } from '#einvoice/vat'

type CreditNoteInput = {
  invoiceId: number
  reason: string
  netMinor?: number
  userId?: number | null
}

/**
 * Corrections to a finalized invoice are credit notes: numbered documents of
 * their own (gapless sequence "credit_note", prefix from settings). A credit
 * is for a net amount (default: whatever is left of the invoice); its VAT is
 * at the invoice's rate, and a full credit returns exactly the invoice's VAT.
 *
 * With the `auto_send` setting on, the credit note's delivery row (an email to
 * the customer's billing address, PDF attached) is queued in the same
 * transaction that issues it, so an issued credit note can never miss its
 * email; sending it is app/billing/deliveries.ts's job (issueCreditNote there
 * issues and sends at once).
 */
export async function createCreditNote(input: CreditNoteInput) {
  if (!input.reason?.trim()) throw new BillingError('A credit note needs a reason', 'invalid')
  const note = await retryOnDeadlock(() => db.transaction((trx) => writeCreditNote(trx, input)))
  // The PDF is stored by documents (start/delivery_hooks.ts); a failure is rendered again on first download.
  for (const hook of billingHooks.creditNoteCommitted) await hook(note.id).catch(() => {})
  return CreditNote.findOrFail(note.id)
}

/** Numbers and stores the credit note, with its audit entry, webhook event and issued hooks. */
async function writeCreditNote(trx: TransactionClientContract, input: CreditNoteInput) {
  const invoice = await finalizedInvoice(trx, input.invoiceId)
  const credited = await creditedSoFar(trx, invoice.id)
  const remaining = invoice.subtotalMinor - credited.net
  const net = input.netMinor ?? remaining
  if (!Number.isInteger(net) || net <= 0)
    throw new BillingError('The credit must be a positive amount', 'invalid')
  if (net > remaining)
    throw new BillingError(
      `At most ${formatMoney(remaining, invoice.currency)} is left to credit on ${invoice.number}`,
      'invalid'
    )
  const tax = await creditTax(trx, invoice, net, remaining, credited.tax)
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
      issueDate: DateTime.fromISO(
        DateTime.now()
          .setZone(invoice.snapshot?.customer?.time_zone ?? 'Europe/London')
          .toISODate()!,
        { zone: 'utc' }
      ),
      pdfPath: null,
    },
    { client: trx }
  )
  await audit(
    {
      userId: input.userId,
      action: 'credit_note.create',
      subjectType: 'invoice',
      subjectId: invoice.id,
      changes: { number: created.number, net, tax },
    },
    trx
  )
  await recordWebhookEvent('credit_note.issued', creditNotePayload(created, invoice), trx)
  // In this transaction: payments applies it to its own invoice (start/payments.ts), then
  // deliveries queues its email when auto_send is on (start/delivery_hooks.ts).
  for (const hook of billingHooks.creditNoteIssued) await hook(trx, created.id, input.userId)
  return created
}

/** The invoice to credit, locked on MySQL so two credits at once cannot both take what is left of it. */
async function finalizedInvoice(trx: TransactionClientContract, invoiceId: number) {
  const q = Invoice.query({ client: trx }).where('id', invoiceId)
  if (isMysql(trx)) q.forUpdate()
  const invoice = await q.first()
  if (!invoice) throw new BillingError('Invoice not found', 'not_found')
  if (invoice.status !== 'finalized')
    throw new BillingError(
      'Only a finalized invoice can be credited; change the draft instead',
      'state'
    )
  return invoice
}

/** Net and VAT of the credit notes the invoice already has. */
async function creditedSoFar(trx: TransactionClientContract, invoiceId: number) {
  const credited = await trx
    .from('credit_notes')
    .where('invoice_id', invoiceId)
    .sum('subtotal_minor as net')
    .sum('tax_minor as tax')
    .first()
  return { net: Number(credited?.net ?? 0), tax: Number(credited?.tax ?? 0) }
}

/** One rate: VAT at it (a full credit returns exactly the invoice's VAT). Several: split over them (#einvoice/vat). */
async function creditTax(
  trx: TransactionClientContract,
  invoice: Invoice,
  net: number,
  remaining: number,
  creditedTax: number
): Promise<number> {
  const lines = await trx
    .from('invoice_lines')
    .where('invoice_id', invoice.id)
    .select('amount_minor', 'tax_rate_bp', 'vat_category')
  const groups = vatGroups(
    lines.map((l) => ({
      amountMinor: Number(l.amount_minor),
      taxRateBp: Number(l.tax_rate_bp),
      vatCategory: l.vat_category,
    }))
  )
  if (groups.length > 1) {
    const prior = await trx
      .from('credit_notes')
      .where('invoice_id', invoice.id)
      .orderBy('id')
      .select('subtotal_minor')
    return creditSplit(
      groups,
      prior.map((p) => Number(p.subtotal_minor)),
      net
    ).reduce((sum, g) => sum + g.taxMinor, 0)
  }
  const rateBp = groups[0]?.rateBp ?? Number(invoice.snapshot?.customer?.tax_rate_bp ?? 0)
  return net === remaining ? invoice.taxMinor - creditedTax : taxOn(net, rateBp)
}
