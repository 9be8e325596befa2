import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { formatMoney } from '#lib/money'
import { isMysql, sqlTime } from '#lib/db_helpers'
import { invoiceBalances } from '#payments/balances'
import { PaymentError } from '#payments/errors'
import { emitPaidEvents } from '#payments/payment_events'

/**
 * The one place money is put against invoices (payments and credit notes alike). Callers hold
 * a transaction; the customer row is locked first (MySQL) so two people settling the same
 * customer's invoices at once cannot both take the last pound of one.
 */

export interface AllocationInput {
  invoiceId: number
  amountMinor: number
}

export async function lockCustomer(trx: TransactionClientContract, customerId: number) {
  const q = trx.from('customers').where('id', customerId).select('id', 'currency', 'name')
  if (isMysql(trx)) q.forUpdate()
  const row = await q.first()
  if (!row) throw new PaymentError('Customer not found', 'customerId', 'not_found')
  return row as { id: number; currency: string; name: string }
}

/** Checks every allocation against what its invoice still owes and what is available to share. */
export async function checkAllocations(
  trx: TransactionClientContract,
  customerId: number,
  currency: string,
  allocations: AllocationInput[],
  availableMinor: number
) {
  const wanted = allocations.filter((a) => a.amountMinor !== 0)
  const ids = wanted.map((a) => a.invoiceId)
  if (new Set(ids).size !== ids.length)
    throw new PaymentError('An invoice appears twice in the allocation', 'allocations')
  const balances = new Map((await invoiceBalances({ invoiceIds: ids }, trx)).map((b) => [b.id, b]))
  let total = 0
  for (const [index, a] of wanted.entries()) {
    const field = `allocations.${index}.amount`
    if (!Number.isSafeInteger(a.amountMinor) || a.amountMinor < 0)
      throw new PaymentError('An allocation must be a positive amount', field)
    const balance = balances.get(a.invoiceId)
    if (!balance || balance.customerId !== customerId)
      throw new PaymentError(
        'That invoice is not a finalized invoice of this customer',
        field,
        'not_found'
      )
    if (balance.currency !== currency)
      throw new PaymentError(
        `Invoice ${balance.number} is in ${balance.currency}, the payment in ${currency}`,
        field
      )
    if (a.amountMinor > balance.outstandingMinor) {
      throw new PaymentError(
        `Invoice ${balance.number} has only ${formatMoney(Math.max(0, balance.outstandingMinor), currency)} left to pay`,
        field
      )
    }
    total += a.amountMinor
  }
  if (total > availableMinor) {
    throw new PaymentError(
      `The allocations (${formatMoney(total, currency)}) are more than the ${formatMoney(availableMinor, currency)} available`,
      'allocations'
    )
  }
  return { wanted, totalMinor: total }
}

export async function insertAllocations(
  trx: TransactionClientContract,
  table: 'payment_allocations' | 'credit_note_applications',
  owner: { column: 'payment_id' | 'credit_note_id'; id: number },
  allocations: AllocationInput[]
) {
  if (!allocations.length) return
  const now = sqlTime()
  await trx.table(table).multiInsert(
    allocations.map((a) => ({
      [owner.column]: owner.id,
      invoice_id: a.invoiceId,
      amount_minor: a.amountMinor,
      created_at: now,
    }))
  )
  // Settling an invoice is reported in the same transaction (outbox), once per invoice.
  await emitPaidEvents(trx, [...new Set(allocations.map((a) => a.invoiceId))])
}
