import { DateTime } from 'luxon'

/**
 * Pure rules for what an invoice's money says about it: its payment status and, for aged debt,
 * how late it is. No database here; unit-tested in tests/unit/payments.
 */

export type PaymentStatus = 'unpaid' | 'part_paid' | 'paid' | 'overdue'

export const STATUS_LABELS: Record<PaymentStatus, string> = {
  unpaid: 'Unpaid',
  part_paid: 'Part-paid',
  paid: 'Paid',
  overdue: 'Overdue',
}

export interface InvoiceMoney {
  totalMinor: number
  /** Σ payment allocations to the invoice. */
  paidMinor: number
  /** Σ credit note applications to the invoice. */
  creditedMinor: number
}

export function outstandingOf(m: InvoiceMoney): number {
  return m.totalMinor - m.paidMinor - m.creditedMinor
}

/** "Today" where the customer is: the day an invoice falls overdue depends on their clock, not ours. */
export function localToday(timeZone: string, now: Date = new Date()): string {
  const local = DateTime.fromJSDate(now).setZone(timeZone || 'Europe/London')
  return (local.isValid ? local : DateTime.fromJSDate(now).setZone('Europe/London')).toISODate()!
}

/** Whole days from the due date to `today` (both "YYYY-MM-DD"); ≤ 0 while not yet late. */
export function daysOverdue(dueDate: string | null, today: string): number {
  if (!dueDate) return 0
  const due = DateTime.fromISO(dueDate, { zone: 'utc' })
  const now = DateTime.fromISO(today, { zone: 'utc' })
  return Math.round(now.diff(due, 'days').days)
}

/**
 * Paid when nothing is left (credit notes count); overdue when money is still owed after the due date;
 * otherwise part-paid when something came in, else unpaid.
 */
export function paymentStatus(
  m: InvoiceMoney,
  dueDate: string | null,
  today: string
): PaymentStatus {
  const outstanding = outstandingOf(m)
  if (outstanding <= 0) return 'paid'
  if (daysOverdue(dueDate, today) > 0) return 'overdue'
  return m.paidMinor + m.creditedMinor > 0 ? 'part_paid' : 'unpaid'
}

export const AGE_BUCKETS = [
  { key: 'current', label: 'Current' },
  { key: 'd1_30', label: '1–30 days' },
  { key: 'd31_60', label: '31–60 days' },
  { key: 'd61_90', label: '61–90 days' },
  { key: 'd90_plus', label: '90+ days' },
] as const

export type AgeBucket = (typeof AGE_BUCKETS)[number]['key']

/** The aged debt column of an amount `days` past its due date (not yet due: current). */
export function ageBucket(days: number): AgeBucket {
  if (days <= 0) return 'current'
  if (days <= 30) return 'd1_30'
  if (days <= 60) return 'd31_60'
  if (days <= 90) return 'd61_90'
  return 'd90_plus'
}

/**
 * Shares `amount` over open items oldest first, each at most what it still owes; returns the
 * allocations and what is left over (account credit). Used to suggest a split and by matching.
 */
export function allocateOldestFirst(
  amount: number,
  open: { id: number; outstandingMinor: number }[]
) {
  let left = amount
  const allocations: { invoiceId: number; amountMinor: number }[] = []
  for (const item of open) {
    if (left <= 0) break
    if (item.outstandingMinor <= 0) continue
    const take = Math.min(left, item.outstandingMinor)
    allocations.push({ invoiceId: item.id, amountMinor: take })
    left -= take
  }
  return { allocations, leftMinor: left }
}

/**
 * The dunning schedule setting ("7, 14, 30") as sorted, distinct positive day counts; a clear
 * error for anything else.
 */
export function parseSchedule(text: string): number[] {
  const parts = String(text ?? '')
    .split(/[,\s]+/)
    .map((p) => p.trim())
    .filter(Boolean)
  const days = parts.map((p) => {
    if (!/^\d{1,4}$/.test(p) || Number(p) < 1)
      throw new RangeError(`"${p}" is not a number of days (a whole number from 1)`)
    return Number(p)
  })
  return [...new Set(days)].sort((a, b) => a - b)
}

/** The highest schedule step (1-based) an invoice `days` overdue has reached, or 0. */
export function stepReached(schedule: number[], days: number): number {
  let step = 0
  schedule.forEach((d, i) => {
    if (days >= d) step = i + 1
  })
  return step
}
