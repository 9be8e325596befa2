import db from '@adonisjs/lucid/services/db'
import type { ReminderStatus } from '#models/dunning_reminder'
import { formatMoney } from '#lib/money'
import { int } from '#lib/db_helpers'
import { getDunningSettings } from '#payments/dunning_settings'
import { overridesDir } from '#documents/templates'

/** The dunning page: the schedule settings and the latest reminders with their delivery state. */

const LABELS: Record<string, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
  cancelled: 'Cancelled (paid)',
}

export type ReminderView = {
  id: number
  invoiceId: number
  number: string | null
  customer: { id: number; name: string }
  step: number
  daysAfterDue: number
  to: string
  status: ReminderStatus
  statusLabel: string
  attempts: number
  balance: string
  lastError: string | null
  /** ISO UTC. */
  sentAt: string | null
  nextAttemptAt: string | null
  canResend: boolean
}

export type DunningPageView = {
  /** The schedule as the form edits it: days after the due date, comma separated. */
  settings: { enabled: boolean; schedule: string; suspendPortal: boolean }
  overridesDir: string
  reminders: ReminderView[]
}

/** A reminder joined with its invoice and customer, as the query below selects it. */
type ReminderRow = {
  id: number | string
  invoice_id: number | string
  number: string | null
  currency: string
  customer_id: number | string
  customer_name: string
  step: number | string
  days_after_due: number | string
  to_address: string
  status: ReminderStatus
  attempts: number | string
  balance_minor: unknown
  last_error: string | null
  sent_at: unknown
  next_attempt_at: unknown
}

const iso = (v: unknown) => (v ? new Date(v as string | Date).toISOString() : null)

function reminderView(r: ReminderRow): ReminderView {
  return {
    id: Number(r.id),
    invoiceId: Number(r.invoice_id),
    number: r.number,
    customer: { id: Number(r.customer_id), name: r.customer_name },
    step: Number(r.step),
    daysAfterDue: Number(r.days_after_due),
    to: r.to_address,
    status: r.status,
    statusLabel: LABELS[r.status] ?? r.status,
    attempts: Number(r.attempts),
    balance: formatMoney(int(r.balance_minor), r.currency),
    lastError: r.last_error,
    sentAt: iso(r.sent_at),
    nextAttemptAt: iso(r.next_attempt_at),
    canResend: r.status === 'failed',
  }
}

export async function dunningPage(): Promise<DunningPageView> {
  const settings = await getDunningSettings()
  const rows: ReminderRow[] = await db
    .from('dunning_reminders as r')
    .join('invoices as i', 'i.id', 'r.invoice_id')
    .join('customers as c', 'c.id', 'i.customer_id')
    .orderBy('r.id', 'desc')
    .limit(200)
    .select('r.*', 'i.number', 'i.currency', 'c.id as customer_id', 'c.name as customer_name')
  return {
    settings: {
      enabled: settings.enabled,
      schedule: settings.schedule.join(', '),
      suspendPortal: settings.suspendPortal,
    },
    overridesDir: overridesDir(),
    reminders: rows.map(reminderView),
  }
}
