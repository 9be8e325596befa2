import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Payment, { type PaymentMethod, type PaymentSource } from '#models/payment'
import { audit } from '#lib/audit'
import { int, retryOnDeadlock } from '#lib/db_helpers'
import {
  checkAllocations,
  insertAllocations,
  lockCustomer,
  type AllocationInput,
} from '#payments/allocations'
import { PaymentError } from '#payments/errors'

/**
 * Recording money received. A payment belongs to one customer; it may be shared over several of
 * their invoices and part of one; what is not allocated stays on the account as credit and can be
 * allocated later (allocatePayment). Everything is one transaction and one audit entry.
 */

export const METHODS: Record<PaymentMethod, string> = {
  bank_transfer: 'Bank transfer',
  card: 'Card',
  cheque: 'Cheque',
  cash: 'Cash',
  direct_debit: 'Direct Debit',
  other: 'Other',
}

export interface RecordPaymentInput {
  customerId: number
  receivedOn: string
  amountMinor: number
  method: PaymentMethod
  reference?: string | null
  note?: string | null
  allocations?: AllocationInput[]
  source?: PaymentSource
  userId?: number | null
}

function checkPayment(input: RecordPaymentInput) {
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0)
    throw new PaymentError('The amount must be more than zero', 'amount')
  if (
    !DateTime.fromISO(input.receivedOn ?? '').isValid ||
    !/^\d{4}-\d{2}-\d{2}$/.test(input.receivedOn)
  )
    throw new PaymentError('Enter the date the money arrived', 'receivedOn')
  if (!(input.method in METHODS)) throw new PaymentError('Choose how it was paid', 'method')
}

/** Records a payment inside an open transaction (bank statement matching shares it). */
export async function recordPaymentIn(
  trx: TransactionClientContract,
  input: RecordPaymentInput
): Promise<Payment> {
  checkPayment(input)
  const customer = await lockCustomer(trx, input.customerId)
  const { wanted, totalMinor } = await checkAllocations(
    trx,
    customer.id,
    customer.currency,
    input.allocations ?? [],
    input.amountMinor
  )
  const payment = await Payment.create(
    {
      customerId: customer.id,
      receivedOn: DateTime.fromISO(input.receivedOn, { zone: 'utc' }),
      amountMinor: input.amountMinor,
      currency: customer.currency,
      method: input.method,
      reference: input.reference?.trim().slice(0, 140) || null,
      note: input.note?.trim().slice(0, 500) || null,
      source: input.source ?? 'manual',
      userId: input.userId ?? null,
    },
    { client: trx }
  )
  await insertAllocations(
    trx,
    'payment_allocations',
    { column: 'payment_id', id: payment.id },
    wanted
  )
  await audit(
    {
      userId: input.userId,
      action: 'payment.record',
      subjectType: 'payment',
      subjectId: payment.id,
      changes: {
        customer_id: customer.id,
        amount_minor: input.amountMinor,
        method: input.method,
        source: payment.source,
        allocated_minor: totalMinor,
        allocations: wanted,
      },
    },
    trx
  )
  return payment
}

export async function recordPayment(input: RecordPaymentInput): Promise<Payment> {
  return retryOnDeadlock(() => db.transaction((trx) => recordPaymentIn(trx, input)))
}

/** What of a payment no invoice has taken yet. */
export async function unallocatedOf(trx: TransactionClientContract, payment: Payment) {
  const row = await trx
    .from('payment_allocations')
    .where('payment_id', payment.id)
    .sum('amount_minor as t')
    .first()
  return payment.amountMinor - int(row?.t)
}

/** Puts (more of) a payment's unallocated credit against invoices of the same customer. */
export async function allocatePayment(
  paymentId: number,
  allocations: AllocationInput[],
  userId?: number | null
) {
  return retryOnDeadlock(() =>
    db.transaction(async (trx) => {
      const payment = await Payment.find(paymentId, { client: trx })
      if (!payment) throw new PaymentError('Payment not found', null, 'not_found')
      const customer = await lockCustomer(trx, payment.customerId)
      const available = await unallocatedOf(trx, payment)
      const { wanted, totalMinor } = await checkAllocations(
        trx,
        customer.id,
        payment.currency,
        allocations,
        available
      )
      if (!wanted.length)
        throw new PaymentError('Enter an amount against at least one invoice', 'allocations')
      await insertAllocations(
        trx,
        'payment_allocations',
        { column: 'payment_id', id: payment.id },
        wanted
      )
      await audit(
        {
          userId,
          action: 'payment.allocate',
          subjectType: 'payment',
          subjectId: payment.id,
          changes: { allocated_minor: totalMinor, allocations: wanted },
        },
        trx
      )
      return { payment, allocatedMinor: totalMinor, leftMinor: available - totalMinor }
    })
  )
}
