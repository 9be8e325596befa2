import type { Message } from '@adonisjs/mail'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { getSettings } from '#billing/settings'
import { formatMoney } from '#lib/money'
import { loadTemplates } from '#documents/templates'
import type { InvoiceBalance } from '#payments/balances'

/**
 * A payment reminder email. HTML from resources/templates/reminder.hbs, or reminder_<step>.hbs when
 * the reseller has put one in the overrides folder (a firmer last letter, say); both overridable.
 */
export async function composeReminder(balance: InvoiceBalance, step: number, steps: number) {
  const templates = loadTemplates()
  const settings = await getSettings()
  const customer = await db
    .from('customers')
    .where('id', balance.customerId)
    .select('name', 'account_number')
    .first()
  const money = (m: number) => formatMoney(m, balance.currency)
  const view = {
    step,
    steps,
    final: step === steps,
    number: balance.number,
    customer: { name: customer?.name ?? '', account_number: customer?.account_number ?? '' },
    supplier: {
      name: settings.supplier_name,
      email: settings.supplier_email,
      phone: settings.supplier_phone,
      payment_details: settings.payment_details,
    },
    due_date: balance.dueDate ? DateTime.fromISO(balance.dueDate).toFormat('d MMMM yyyy') : '',
    days_overdue: balance.daysOverdue,
    total: money(balance.totalMinor),
    paid: money(balance.paidMinor + balance.creditedMinor),
    outstanding: money(balance.outstandingMinor),
  }
  let html: string
  try {
    html = templates.render(`reminder_${step}`, view)
  } catch (error: any) {
    if (!String(error?.message).startsWith('No template')) throw error
    html = templates.render('reminder', view)
  }
  const subject = `${view.final ? 'Final reminder' : 'Payment reminder'}: invoice ${view.number} is ${view.days_overdue} days overdue (${view.outstanding})`
  const text = [
    `Dear ${view.customer.name},`,
    '',
    `Invoice ${view.number} was due on ${view.due_date} and ${view.outstanding} of ${view.total} is still unpaid.`,
    'If you have paid in the last few days, thank you, and please ignore this reminder.',
    '',
    settings.payment_details,
    '',
    'Kind regards,',
    settings.supplier_name,
  ].join('\n')
  return {
    subject,
    apply(message: Message, to: string, messageId: string) {
      message.to(to).subject(subject).messageId(messageId).html(html).text(text)
      if (settings.supplier_email) message.replyTo(settings.supplier_email)
    },
  }
}
