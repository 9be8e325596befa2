import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { int } from '#lib/db_helpers'
import { getSettings } from '#billing/settings'
import { dateOnly } from '#rating/recurring'
import { formatMoney } from '#lib/money'
import { loadTemplates } from '#documents/templates'
import { withRenderer } from '#documents/pdf_renderer'
import { PaymentError } from '#payments/errors'

/**
 * Statement of account for one customer and date range: the balance brought forward (finalized
 * invoices − credit notes − payments dated before the range), every document and payment in the
 * range with a running balance, and the closing balance. HTML from resources/templates/statement.hbs
 * (overridable like every template), PDF from the same Chromium renderer as invoices.
 */

export interface StatementEntry {
  date: string
  kind: 'invoice' | 'credit_note' | 'payment'
  label: string
  reference: string
  debitMinor: number
  creditMinor: number
  balanceMinor: number
}

export interface StatementData {
  customer: {
    id: number
    name: string
    accountNumber: string
    address: string | null
    currency: string
  }
  from: string
  to: string
  openingMinor: number
  entries: StatementEntry[]
  debitsMinor: number
  creditsMinor: number
  closingMinor: number
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

async function before(customerId: number, from: string) {
  const invoices = await db
    .from('invoices')
    .where('customer_id', customerId)
    .where('status', 'finalized')
    .where('issue_date', '<', from)
    .sum('total_minor as t')
    .first()
  const notes = await db
    .from('credit_notes as n')
    .join('invoices as i', 'i.id', 'n.invoice_id')
    .where('i.customer_id', customerId)
    .where('n.issue_date', '<', from)
    .sum('n.total_minor as t')
    .first()
  const payments = await db
    .from('payments')
    .where('customer_id', customerId)
    .where('received_on', '<', from)
    .sum('amount_minor as t')
    .first()
  return int(invoices?.t) - int(notes?.t) - int(payments?.t)
}

export async function statementData(
  customerId: number,
  from: string,
  to: string
): Promise<StatementData> {
  checkRange(from, to)
  const customer = await Customer.find(customerId)
  if (!customer) throw new PaymentError('Customer not found', null, 'not_found')
  const openingMinor = await before(customer.id, from)
  const entries = withBalance(await movements(customer.id, from, to), openingMinor)
  const debitsMinor = entries.reduce((s, e) => s + e.debitMinor, 0)
  const creditsMinor = entries.reduce((s, e) => s + e.creditMinor, 0)
  return {
    customer: {
      id: customer.id,
      name: customer.name,
      accountNumber: customer.accountNumber,
      address: customer.address,
      currency: customer.currency,
    },
    from,
    to,
    openingMinor,
    entries,
    debitsMinor,
    creditsMinor,
    closingMinor: openingMinor + debitsMinor - creditsMinor,
  }
}

function checkRange(from: string, to: string) {
  if (!DAY.test(from) || !DateTime.fromISO(from).isValid)
    throw new PaymentError('Enter the first day of the statement', 'from')
  if (!DAY.test(to) || !DateTime.fromISO(to).isValid)
    throw new PaymentError('Enter the last day of the statement', 'to')
  if (to < from) throw new PaymentError('The statement ends before it starts', 'to')
}

/** A statement line before its running balance; `order` and `id` order lines of one day. */
type Movement = Omit<StatementEntry, 'balanceMinor'> & { order: number; id: number }

/** The customer's finalized invoices, credit notes and payments dated in the range, in order. */
async function movements(customerId: number, from: string, to: string): Promise<Movement[]> {
  const invoices = await db
    .from('invoices')
    .where('customer_id', customerId)
    .where('status', 'finalized')
    .whereBetween('issue_date', [from, to])
    .select('id', 'number', 'issue_date', 'period', 'total_minor')
  const notes = await db
    .from('credit_notes as n')
    .join('invoices as i', 'i.id', 'n.invoice_id')
    .where('i.customer_id', customerId)
    .whereBetween('n.issue_date', [from, to])
    .select('n.id', 'n.number', 'n.issue_date', 'n.total_minor', 'i.number as invoice_number')
  const payments = await db
    .from('payments')
    .where('customer_id', customerId)
    .whereBetween('received_on', [from, to])
    .select('id', 'received_on', 'amount_minor', 'method', 'reference')
  return [
    ...invoices.map((r): Movement => ({
      date: dateOnly(r.issue_date)!,
      order: 0,
      id: Number(r.id),
      kind: 'invoice',
      label: `Invoice ${r.number}`,
      reference: `Period ${r.period}`,
      debitMinor: int(r.total_minor),
      creditMinor: 0,
    })),
    ...notes.map((r): Movement => ({
      date: dateOnly(r.issue_date)!,
      order: 1,
      id: Number(r.id),
      kind: 'credit_note',
      label: `Credit note ${r.number}`,
      reference: `Against ${r.invoice_number}`,
      debitMinor: 0,
      creditMinor: int(r.total_minor),
    })),
    ...payments.map((r): Movement => ({
      date: dateOnly(r.received_on)!,
      order: 2,
      id: Number(r.id),
      kind: 'payment',
      label: 'Payment received',
      reference: r.reference ?? '',
      debitMinor: 0,
      creditMinor: int(r.amount_minor),
    })),
  ].sort((a, b) => a.date.localeCompare(b.date) || a.order - b.order || a.id - b.id)
}

function withBalance(lines: Movement[], openingMinor: number): StatementEntry[] {
  let balance = openingMinor
  return lines.map(({ order: _o, id: _i, ...e }) => {
    balance += e.debitMinor - e.creditMinor
    return { ...e, balanceMinor: balance }
  })
}

const longDate = (iso: string) => DateTime.fromISO(iso).toFormat('d MMM yyyy')

export async function renderStatementHtml(customerId: number, from: string, to: string) {
  const data = await statementData(customerId, from, to)
  const settings = await getSettings()
  const templates = loadTemplates()
  const money = (m: number) => formatMoney(m, data.customer.currency)
  const html = templates.render('statement', {
    logo: templates.logo,
    supplier: {
      name: settings.supplier_name,
      address: settings.supplier_address,
      vat_number: settings.supplier_vat_number,
      company_number: settings.supplier_company_number,
      email: settings.supplier_email,
      phone: settings.supplier_phone,
      payment_details: settings.payment_details,
    },
    customer: {
      name: data.customer.name,
      account_number: data.customer.accountNumber,
      address: data.customer.address,
    },
    from: longDate(from),
    to: longDate(to),
    issued: longDate(DateTime.now().toISODate()!),
    opening: money(data.openingMinor),
    entries: data.entries.map((e) => ({
      date: longDate(e.date),
      label: e.label,
      reference: e.reference,
      debit: e.debitMinor ? money(e.debitMinor) : '',
      credit: e.creditMinor ? money(e.creditMinor) : '',
      balance: money(e.balanceMinor),
    })),
    debits: money(data.debitsMinor),
    credits: money(data.creditsMinor),
    closing: money(data.closingMinor),
    in_credit: data.closingMinor < 0,
  })
  return { html, data }
}

/** The statement as PDF bytes (rendered on request, not stored: it changes with every payment). */
export async function statementPdf(customerId: number, from: string, to: string) {
  const { html, data } = await renderStatementHtml(customerId, from, to)
  const pdf = await withRenderer((r) => r.render(html), { pages: 1 })
  return { pdf, data, filename: `statement-${data.customer.accountNumber}-${from}-${to}.pdf` }
}
