import db from '@adonisjs/lucid/services/db'
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

export async function dunningPage() {
  const settings = await getDunningSettings()
  const rows = await db
    .from('dunning_reminders as r')
    .join('invoices as i', 'i.id', 'r.invoice_id')
    .join('customers as c', 'c.id', 'i.customer_id')
    .orderBy('r.id', 'desc')
    .limit(200)
    .select('r.*', 'i.number', 'i.currency', 'c.id as customer_id', 'c.name as customer_name')
  const iso = (v: unknown) => (v ? new Date(v as any).toISOString() : null)
  return {
    settings: {
      enabled: settings.enabled,
      schedule: settings.schedule.join(', '),
      suspendPortal: settings.suspendPortal,
    },
    overridesDir: overridesDir(),
    reminders: rows.map((r: any) => ({
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
    })),
  }
}

export type DunningPageView = Awaited<ReturnType<typeof dunningPage>>
