import Customer from '#models/customer'
import {
  CHANGE_REASON_LABELS,
  rerateChanges,
  rerateList,
  type ChangeFilter,
  type ChangeReason,
} from '#rating/rerate_history'
import type { RerateSummary } from '#rating/tariffs'

/** Read models of the re-rating history pages (rerates/index, rerates/show). Times are ISO UTC. */

/**
 * The re-rate summary shown after a re-rate (the tariffs/rerate_summary component, on the tariff
 * and exceptions pages): totals are e4 units, shown as money only in a known currency.
 */
export type RerateSummaryProps = {
  summary: RerateSummary
  /** The tariff's currency; none for a re-rate across tariffs (the amounts are left unlabelled). */
  currency?: string
}

/** One re-rate: who ran it when, how many records changed and the totals before and after. */
export type RerateListItem = {
  id: number
  customer: string
  account: string
  period: string
  reason: string
  by: string | null
  at: string
  changed: number
  oldTotal: string
  newTotal: string
  delta: string
}

export type RerateIndexProps = {
  rerates: RerateListItem[]
  /** The customer filter's choices, by account number. */
  customers: { id: number; label: string }[]
  customer: number | null
}

/** One changed record; prices "£x.xx (e4 value)", rates "name (+prefix)", null where there was none. */
export type RerateChangeView = {
  id: number
  usageRecordId: number
  identifier: string
  destination: string
  category: string
  occurredAt: string
  oldPrice: string | null
  newPrice: string | null
  deltaMinor: number
  oldRate: string | null
  newRate: string | null
  oldBand: string | null
  newBand: string | null
  oldAllowance: number
  newAllowance: number
  oldStatus: string
  newStatus: string
  reason: ChangeReason
  reasonLabel: string
}

export type RerateChanges = {
  rerate: {
    id: number
    customer: string
    account: string
    customerId: number
    period: string
    reason: string
    changed: number
  }
  changes: RerateChangeView[]
}

export type RerateShowProps = RerateChanges & {
  filters: { destination: string; reason: string }
  reasons: Record<ChangeReason, string>
}

export async function rerateIndexProps(customerId: number | undefined): Promise<RerateIndexProps> {
  const customers = await Customer.query()
    .orderBy('account_number')
    .select('id', 'name', 'account_number')
  return {
    rerates: await rerateList({ customerId }),
    customers: customers.map((c) => ({ id: c.id, label: `${c.accountNumber} — ${c.name}` })),
    customer: customerId ?? null,
  }
}

/** One re-rate's changed records, filtered; null when there is no such re-rate. */
export async function rerateChangesView(
  rerateId: number,
  filter: ChangeFilter
): Promise<RerateChanges | null> {
  return rerateChanges(rerateId, filter)
}

export function rerateShowProps(data: RerateChanges, filter: ChangeFilter): RerateShowProps {
  return {
    ...data,
    filters: { destination: filter.destination ?? '', reason: filter.reason ?? '' },
    reasons: CHANGE_REASON_LABELS,
  }
}
