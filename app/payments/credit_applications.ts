import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { audit } from '#lib/audit'
import { int, retryOnDeadlock } from '#lib/db_helpers'
import { invoiceBalance } from '#payments/balances'
import { checkAllocations, insertAllocations, lockCustomer } from '#payments/allocations'
import { PaymentError } from '#payments/errors'

/**
 * Credit notes settle invoices through credit_note_applications. A new credit note is applied to
 * its own invoice up to what that invoice still owes (issueCreditNote calls this in its
 * transaction); whatever is left (the invoice was already paid) is account credit that a person
 * applies to another invoice of the customer.
 */

async function noteIn(trx: TransactionClientContract, creditNoteId: number) {
  const note = await trx
    .from('credit_notes as n')
    .join('invoices as i', 'i.id', 'n.invoice_id')
    .where('n.id', creditNoteId)
    .select('n.id', 'n.number', 'n.invoice_id', 'n.total_minor', 'i.customer_id', 'i.currency')
    .first()
  if (!note) throw new PaymentError('Credit note not found', null, 'not_found')
  const applied = await trx
    .from('credit_note_applications')
    .where('credit_note_id', creditNoteId)
    .sum('amount_minor as t')
    .first()
  return {
    ...note,
    customerId: Number(note.customer_id),
    unappliedMinor: int(note.total_minor) - int(applied?.t),
  }
}

export async function applyCreditNoteToOwnInvoice(
  trx: TransactionClientContract,
  creditNoteId: number,
  userId?: number | null
) {
  const note = await noteIn(trx, creditNoteId)
  await lockCustomer(trx, note.customerId)
  const balance = await invoiceBalance(Number(note.invoice_id), trx)
  const amount = Math.min(note.unappliedMinor, Math.max(0, balance?.outstandingMinor ?? 0))
  if (amount <= 0) return 0
  await insertAllocations(
    trx,
    'credit_note_applications',
    { column: 'credit_note_id', id: note.id },
    [{ invoiceId: Number(note.invoice_id), amountMinor: amount }]
  )
  await audit(
    {
      userId,
      action: 'credit_note.apply',
      subjectType: 'credit_note',
      subjectId: note.id,
      changes: { invoice_id: note.invoice_id, amount_minor: amount },
    },
    trx
  )
  return amount
}

/** A person applies (part of) a credit note's unapplied amount to another invoice of the customer. */
export async function applyCreditNote(
  creditNoteId: number,
  invoiceId: number,
  amountMinor: number,
  userId?: number | null
) {
  return retryOnDeadlock(() =>
    db.transaction(async (trx) => {
      const note = await noteIn(trx, creditNoteId)
      await lockCustomer(trx, note.customerId)
      const { wanted } = await checkAllocations(
        trx,
        note.customerId,
        note.currency,
        [{ invoiceId, amountMinor }],
        note.unappliedMinor
      )
      if (!wanted.length) throw new PaymentError('Enter an amount to apply', 'amount')
      await insertAllocations(
        trx,
        'credit_note_applications',
        { column: 'credit_note_id', id: note.id },
        wanted
      )
      await audit(
        {
          userId,
          action: 'credit_note.apply',
          subjectType: 'credit_note',
          subjectId: note.id,
          changes: { invoice_id: invoiceId, amount_minor: amountMinor },
        },
        trx
      )
      return { leftMinor: note.unappliedMinor - amountMinor }
    })
  )
}
