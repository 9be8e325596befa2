import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import logger from '@adonisjs/core/services/logger'
import type { Mailer } from '@adonisjs/mail'
import type { MailTransportContract } from '@adonisjs/mail/types'
import { e4ToMinor, formatMoney } from '#lib/money'
import { int, isDuplicateKey, sqlTime } from '#lib/db_helpers'
import { getSettings } from '#billing/settings'
import { guardSettings } from '#billing/guard_settings'
import { periodState } from '#billing/period_guard'
import { monthLabel } from '#billing/compute'
import { recordWebhookEvent } from '#webhooks/events'
import { billShockPayload } from '#webhooks/payloads'

/**
 * Bill-shock alerts: after usage changes (each import), a customer's or an employee's rated usage of a
 * month that is still running (in the customer's time zone) is compared with the thresholds; each
 * threshold crossed is emailed once per month — to the reseller's billing address and, when the customer
 * asks for it (customers.bill_shock_notify_customer), to the customer's billing email. The alert row's
 * unique key is the claim, so concurrent imports send one email.
 */

type AnyMailer = Mailer<MailTransportContract>

export interface ShockCrossing {
  employeeId: number
  employeeName: string | null
  thresholdMinor: number
  amountMinor: number
}

/** Every (subject, threshold) whose amount has reached the threshold. Pure. */
export function crossings(
  customerMinor: number,
  employees: { id: number; name: string; minor: number }[],
  customerThresholds: number[],
  employeeThresholds: number[]
): ShockCrossing[] {
  const out: ShockCrossing[] = []
  for (const t of customerThresholds)
    if (customerMinor >= t)
      out.push({ employeeId: 0, employeeName: null, thresholdMinor: t, amountMinor: customerMinor })
  for (const e of employees)
    for (const t of employeeThresholds)
      if (e.minor >= t)
        out.push({
          employeeId: e.id,
          employeeName: e.name,
          thresholdMinor: t,
          amountMinor: e.minor,
        })
  return out
}

async function monthToDate(customerId: number, period: string) {
  const rows = await db
    .from('usage_records as r')
    .leftJoin('employees as e', 'e.id', 'r.employee_id')
    .where('r.customer_id', customerId)
    .where('r.period', period)
    .whereIn('r.rating_status', ['rated', 'markup'])
    .groupBy('r.employee_id', 'e.name')
    .select('r.employee_id', 'e.name')
    .sum('r.price_e4 as e4')
  const customerE4 = rows.reduce((s: number, r: any) => s + int(r.e4), 0)
  const employees = rows
    .filter((r: any) => r.employee_id !== null)
    .map((r: any) => ({
      id: int(r.employee_id),
      name: String(r.name ?? `Employee #${r.employee_id}`),
      minor: e4ToMinor(int(r.e4)),
    }))
  return { customerMinor: e4ToMinor(customerE4), employees }
}

export interface ShockOptions {
  now?: Date
  mailer?: AnyMailer
}

/** Checks the given periods of a customer and emails each new crossing; returns the alerts sent. */
export async function checkBillShock(
  customerId: number,
  periods: string[],
  options: ShockOptions = {}
) {
  const customer = await db
    .from('customers')
    .where('id', customerId)
    .select(
      'id',
      'name',
      'account_number',
      'time_zone',
      'currency',
      'billing_email',
      'bill_shock_notify_customer'
    )
    .first()
  if (!customer) return []
  const now = options.now ?? new Date()
  const open = [...new Set(periods)].filter(
    (p) => periodState(p, customer.time_zone, now).state === 'open'
  )
  if (!open.length) return []
  const guards = await guardSettings()
  const sent: { period: string; employeeId: number; thresholdMinor: number; to: string[] }[] = []
  for (const period of open) {
    const totals = await monthToDate(customerId, period)
    for (const c of crossings(
      totals.customerMinor,
      totals.employees,
      guards.shockCustomerMinor,
      guards.shockEmployeeMinor
    )) {
      const alert = await claim(customer, period, c)
      if (!alert) continue
      const to = await recipients(customer)
      await deliver(alert, customer, period, c, to, options.mailer)
      sent.push({ period, employeeId: c.employeeId, thresholdMinor: c.thresholdMinor, to })
    }
  }
  return sent
}

/** The alert row is the claim; bill_shock.detected is recorded in the same transaction, so it goes once too. */
async function claim(customer: any, period: string, c: ShockCrossing): Promise<number | null> {
  try {
    return await db.transaction(async (trx) => {
      const [id] = await trx.table('bill_shock_alerts').insert({
        customer_id: customer.id,
        employee_id: c.employeeId,
        period,
        threshold_minor: c.thresholdMinor,
        amount_minor: c.amountMinor,
        status: 'queued',
        created_at: sqlTime(),
      })
      const data = billShockPayload({
        id: int(id),
        period,
        currency: customer.currency,
        thresholdMinor: c.thresholdMinor,
        amountMinor: c.amountMinor,
        customer: {
          id: int(customer.id),
          accountNumber: customer.account_number,
          name: customer.name,
        },
        employee: c.employeeId
          ? { id: c.employeeId, name: c.employeeName ?? `Employee #${c.employeeId}` }
          : null,
      })
      await recordWebhookEvent('bill_shock.detected', data, trx)
      return int(id)
    })
  } catch (error) {
    if (isDuplicateKey(error)) return null
    throw error
  }
}

async function recipients(customer: any) {
  const settings = await getSettings()
  const to = [settings.supplier_email].filter(Boolean)
  if (customer.bill_shock_notify_customer && customer.billing_email)
    to.push(String(customer.billing_email))
  return [...new Set(to.map((a) => a.trim()).filter(Boolean))]
}

async function deliver(
  alertId: number,
  customer: any,
  period: string,
  c: ShockCrossing,
  to: string[],
  mailer?: AnyMailer
) {
  const money = (m: number) => formatMoney(m, customer.currency)
  const who = c.employeeName ? `${c.employeeName} at ${customer.name}` : customer.name
  const subject = `Bill shock: ${who} passed ${money(c.thresholdMinor)} in ${monthLabel(period)}`
  const text = [
    `${who} (${customer.account_number}) has rated usage of ${money(c.amountMinor)} so far in ${monthLabel(period)}, passing the alert threshold of ${money(c.thresholdMinor)}.`,
    '',
    'The month has not ended: more usage may still arrive. You get this alert once per threshold and month.',
  ].join('\n')
  if (!to.length) {
    await db
      .from('bill_shock_alerts')
      .where('id', alertId)
      .update({ status: 'failed', last_error: 'no address to send to' })
    return
  }
  try {
    const m = mailer ?? (mail.use() as unknown as AnyMailer)
    await m.send((message) => {
      message.to(to[0]).subject(subject).text(text)
      if (to.length > 1) message.cc(to.slice(1))
    })
    await db
      .from('bill_shock_alerts')
      .where('id', alertId)
      .update({ status: 'sent', sent_to: to.join(', ').slice(0, 500) })
  } catch (error) {
    // The alert stays claimed (once per threshold and month): the failure is kept on the row and logged.
    logger.warn({ err: error, alertId }, 'bill shock alert not sent')
    await db
      .from('bill_shock_alerts')
      .where('id', alertId)
      .update({
        status: 'failed',
        sent_to: to.join(', ').slice(0, 500),
        last_error: String((error as Error).message).slice(0, 500),
      })
  }
}
