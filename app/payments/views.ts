import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Customer from '#models/customer'
import Payment from '#models/payment'
import { formatMoney, formatScaled } from '#lib/money'
import { int } from '#lib/db_helpers'
import { dateOnly } from '#rating/recurring'
import { accountCredit, invoiceBalances, type InvoiceBalance } from '#payments/balances'
import { METHODS } from '#payments/payments'
import { allocateOldestFirst } from '#payments/status'

/**
 * Read models for the payments pages (Vue pages import these types with `import type`). Money is
 * formatted here with its currency; amounts a person may edit also come as plain decimal strings.
 */

export interface OpenInvoiceView {
  id: number
  number: string
  period: string
  dueDate: string | null
  total: string
  outstanding: string
  outstandingMinor: number
  status: InvoiceBalance['status']
  statusLabel: string
  daysOverdue: number
  /** The suggested allocation as a decimal string ("12.34") for the form. */
  suggested: string
}

export function openInvoiceView(b: InvoiceBalance, suggestedMinor = 0): OpenInvoiceView {
  return {
    id: b.id,
    number: b.number,
    period: b.period,
    dueDate: b.dueDate,
    total: formatMoney(b.totalMinor, b.currency),
    outstanding: formatMoney(b.outstandingMinor, b.currency),
    outstandingMinor: b.outstandingMinor,
    status: b.status,
    statusLabel: b.statusLabel,
    daysOverdue: b.daysOverdue,
    suggested: suggestedMinor ? formatScaled(suggestedMinor, 2) : '',
  }
}

export const methodOptions = () =>
  Object.entries(METHODS).map(([value, label]) => ({ value, label }))

/** A customer in the payment forms' picker: "Name (account)" and the currency amounts are in. */
export type PaymentCustomerOption = { id: number; label: string; currency: string }

export async function customerOptions(): Promise<PaymentCustomerOption[]> {
  const rows = await db
    .from('customers')
    .orderBy('name')
    .select('id', 'name', 'account_number', 'currency')
  return rows.map((c: any) => ({
    id: Number(c.id),
    label: `${c.name} (${c.account_number})`,
    currency: c.currency,
  }))
}

/** Open invoices of a customer, oldest due first, with `amountMinor` shared over them as a suggestion. */
export async function openInvoicesFor(
  customerId: number,
  amountMinor = 0
): Promise<OpenInvoiceView[]> {
  const open = await invoiceBalances({ customerIds: [customerId], openOnly: true })
  const { allocations } = allocateOldestFirst(
    amountMinor,
    open.map((b) => ({ id: b.id, outstandingMinor: b.outstandingMinor }))
  )
  const suggested = new Map(allocations.map((a) => [a.invoiceId, a.amountMinor]))
  return open.map((b) => openInvoiceView(b, suggested.get(b.id) ?? 0))
}

/** The record-a-payment form (payments/new); the open invoices are the chosen customer's. */
export type PaymentNewProps = {
  customers: PaymentCustomerOption[]
  methods: { value: string; label: string }[]
  customerId: number | null
  openInvoices: OpenInvoiceView[]
}

export async function paymentNewProps(customerId: number | null): Promise<PaymentNewProps> {
  return {
    customers: await customerOptions(),
    methods: methodOptions(),
    customerId,
    openInvoices: customerId ? await openInvoicesFor(customerId) : [],
  }
}

export interface PaymentRow {
  id: number
  customer: { id: number; name: string; accountNumber: string }
  receivedOn: string
  amount: string
  allocated: string
  unallocated: string
  unallocatedMinor: number
  method: string
  reference: string | null
  source: string
}

/** The payments list (payments/index), optionally of one customer. */
export type PaymentIndexProps = { payments: PaymentRow[]; customerId: number | null }

export async function paymentIndexProps(customerId: number | null): Promise<PaymentIndexProps> {
  return { payments: await paymentList({ customerId: customerId ?? undefined }), customerId }
}

export async function paymentList(
  filter: { customerId?: number; paymentIds?: number[]; limit?: number } = {}
): Promise<PaymentRow[]> {
  const q = db
    .from('payments as p')
    .join('customers as c', 'c.id', 'p.customer_id')
    .orderBy('p.received_on', 'desc')
    .orderBy('p.id', 'desc')
    .limit(filter.limit ?? 200)
    .select(
      'p.id',
      'p.customer_id',
      'p.received_on',
      'p.amount_minor',
      'p.currency',
      'p.method',
      'p.reference',
      'p.source',
      'c.name',
      'c.account_number'
    )
  if (filter.customerId) q.where('p.customer_id', filter.customerId)
  if (filter.paymentIds) q.whereIn('p.id', filter.paymentIds)
  const rows = await q
  const ids = rows.map((r: any) => Number(r.id))
  const allocated = new Map<number, number>()
  if (ids.length) {
    for (const r of await db
      .from('payment_allocations')
      .whereIn('payment_id', ids)
      .groupBy('payment_id')
      .select('payment_id')
      .sum('amount_minor as t'))
      allocated.set(Number(r.payment_id), int(r.t))
  }
  return rows.map((r: any) => {
    const a = allocated.get(Number(r.id)) ?? 0
    const amount = int(r.amount_minor)
    return {
      id: Number(r.id),
      customer: { id: Number(r.customer_id), name: r.name, accountNumber: r.account_number },
      receivedOn: dateOnly(r.received_on)!,
      amount: formatMoney(amount, r.currency),
      allocated: formatMoney(a, r.currency),
      unallocated: formatMoney(amount - a, r.currency),
      unallocatedMinor: amount - a,
      method: METHODS[r.method as keyof typeof METHODS] ?? r.method,
      reference: r.reference,
      source: SOURCES[r.source] ?? r.source,
    }
  })
}

const SOURCES: Record<string, string> = {
  manual: 'Entered by hand',
  bank_statement: 'Bank statement',
  direct_debit: 'Direct Debit',
}

/** An allocation of a payment to an invoice. */
export type PaymentAllocationView = {
  id: number
  invoiceId: number
  number: string
  amount: string
}

/** A payment (payments/show): where it went, the statement line it came from, what it may still pay. */
export type PaymentShowProps = {
  payment: PaymentRow & { note: string | null }
  allocations: PaymentAllocationView[]
  statementLine: { importId: number; lineNumber: number; description: string } | null
  /** The customer's open invoices with the unallocated amount suggested over them; none once allocated. */
  openInvoices: OpenInvoiceView[]
}

export async function paymentShowProps(paymentId: number): Promise<PaymentShowProps> {
  const payment = await Payment.query().where('id', paymentId).preload('customer').firstOrFail()
  const [row] = await paymentList({ paymentIds: [payment.id] })
  const allocations = await db
    .from('payment_allocations as a')
    .join('invoices as i', 'i.id', 'a.invoice_id')
    .where('a.payment_id', payment.id)
    .orderBy('a.id')
    .select('a.id', 'a.amount_minor', 'a.created_at', 'i.id as invoice_id', 'i.number')
  const line = await db
    .from('bank_statement_lines')
    .where('payment_id', payment.id)
    .select('id', 'import_id', 'line_number', 'description')
    .first()
  return {
    payment: { ...row, note: payment.note },
    allocations: allocations.map((a) => ({
      id: Number(a.id),
      invoiceId: Number(a.invoice_id),
      number: String(a.number),
      amount: formatMoney(int(a.amount_minor), payment.currency),
    })),
    statementLine: line
      ? {
          importId: Number(line.import_id),
          lineNumber: Number(line.line_number),
          description: String(line.description),
        }
      : null,
    openInvoices:
      row.unallocatedMinor > 0
        ? await openInvoicesFor(payment.customerId, row.unallocatedMinor)
        : [],
  }
}

/** An invoice on the account: its payment status with what was paid and credited against it. */
export type AccountInvoiceView = OpenInvoiceView & { paid: string; credited: string }

/** A credit note of the customer's; `unappliedMinor` is what may still be applied to an invoice. */
export type AccountCreditNoteView = {
  id: number
  number: string
  invoiceNumber: string
  issueDate: string | null
  total: string
  unapplied: string
  unappliedMinor: number
}

export type DirectDebitPaymentView = {
  id: number
  invoiceId: number
  number: string
  chargeDate: string | null
  amount: string
  status: string
  statusLabel: string
  gocardlessId: string | null
  lastError: string | null
}

export type DirectDebitView = {
  /** Whether GoCardless is set up (an access token is configured). */
  configured: boolean
  mandate: { id: string | null; status: string } | null
  /** The latest 50 collections, newest first. */
  payments: DirectDebitPaymentView[]
}

/** The customer account page (payments/account); `statementRange` is the statement form's default. */
export type CustomerAccountProps = {
  customer: {
    id: number
    name: string
    accountNumber: string
    currency: string
    timeZone: string
    portalSuspended: boolean
  }
  summary: { owed: string; overdue: string; credit: string; balance: string }
  /** Newest first. */
  invoices: AccountInvoiceView[]
  payments: PaymentRow[]
  creditNotes: AccountCreditNoteView[]
  openInvoices: OpenInvoiceView[]
  directDebit: DirectDebitView
  statementRange: { from: string; to: string }
}

/** Everything the customer account page shows: invoices with payment status, payments, credit notes, credit. */
export async function customerAccountProps(
  customerId: number,
  today = DateTime.now()
): Promise<CustomerAccountProps> {
  const customer = await Customer.findOrFail(customerId)
  const money = (m: number) => formatMoney(m, customer.currency)
  const balances = await invoiceBalances({ customerIds: [customer.id] })
  const credit = await accountCredit(customer.id)
  const notes = await db
    .from('credit_notes as n')
    .join('invoices as i', 'i.id', 'n.invoice_id')
    .where('i.customer_id', customer.id)
    .orderBy('n.id', 'desc')
    .select('n.id', 'n.number', 'n.issue_date', 'n.total_minor', 'i.number as invoice_number')
  const applied = new Map<number, number>()
  if (notes.length) {
    for (const r of await db
      .from('credit_note_applications')
      .whereIn(
        'credit_note_id',
        notes.map((n) => Number(n.id))
      )
      .groupBy('credit_note_id')
      .select('credit_note_id')
      .sum('amount_minor as t'))
      applied.set(Number(r.credit_note_id), int(r.t))
  }
  const owed = balances.reduce((s, b) => s + Math.max(0, b.outstandingMinor), 0)
  const overdue = balances
    .filter((b) => b.status === 'overdue')
    .reduce((s, b) => s + b.outstandingMinor, 0)
  return {
    customer: {
      id: customer.id,
      name: customer.name,
      accountNumber: customer.accountNumber,
      currency: customer.currency,
      timeZone: customer.timeZone,
      portalSuspended: Boolean(customer.portalSuspendedAt),
    },
    summary: {
      owed: money(owed),
      overdue: money(overdue),
      credit: money(credit.totalMinor),
      balance: money(owed - credit.totalMinor),
    },
    invoices: balances.reverse().map((b) => ({
      ...openInvoiceView(b),
      paid: money(b.paidMinor),
      credited: money(b.creditedMinor),
    })),
    payments: await paymentList({ customerId: customer.id, limit: 100 }),
    creditNotes: notes.map((n) => {
      const unapplied = int(n.total_minor) - (applied.get(Number(n.id)) ?? 0)
      return {
        id: Number(n.id),
        number: String(n.number),
        invoiceNumber: String(n.invoice_number),
        issueDate: dateOnly(n.issue_date),
        total: money(int(n.total_minor)),
        unapplied: money(unapplied),
        unappliedMinor: unapplied,
      }
    }),
    openInvoices: balances.filter((b) => b.outstandingMinor > 0).map((b) => openInvoiceView(b)),
    directDebit: await directDebitView(customer.id, customer.currency),
    statementRange: {
      from: today.minus({ months: 3 }).startOf('month').toISODate(),
      to: today.toISODate(),
    },
  }
}

const DD_LABELS: Record<string, string> = {
  creating: 'Being created',
  error: 'Not yet accepted by GoCardless (retried)',
  pending_submission: 'Pending submission',
  submitted: 'Submitted to the bank',
  confirmed: 'Confirmed',
  paid_out: 'Paid out',
  failed: 'Failed',
  charged_back: 'Charged back',
  cancelled: 'Cancelled',
}

async function directDebitView(customerId: number, currency: string): Promise<DirectDebitView> {
  const mandate = await db.from('direct_debit_mandates').where('customer_id', customerId).first()
  const rows = await db
    .from('direct_debit_payments as d')
    .join('invoices as i', 'i.id', 'd.invoice_id')
    .where('d.customer_id', customerId)
    .orderBy('d.id', 'desc')
    .limit(50)
    .select('d.*', 'i.number')
  return {
    configured: Boolean(process.env.GOCARDLESS_ACCESS_TOKEN),
    mandate: mandate
      ? {
          id: mandate.mandate_id === null ? null : String(mandate.mandate_id),
          status: String(mandate.status),
        }
      : null,
    payments: rows.map((r) => ({
      id: Number(r.id),
      invoiceId: Number(r.invoice_id),
      number: String(r.number),
      chargeDate: dateOnly(r.charge_date),
      amount: formatMoney(int(r.amount_minor), currency),
      status: String(r.status),
      statusLabel: DD_LABELS[r.status] ?? String(r.status),
      gocardlessId: r.gc_payment_id === null ? null : String(r.gc_payment_id),
      lastError: r.last_error === null ? null : String(r.last_error),
    })),
  }
}

/** The few figures the customer page shows about the account (link through to the account page). */
export async function accountSummary(customerId: number) {
  const customer = await Customer.findOrFail(customerId)
  const money = (m: number) => formatMoney(m, customer.currency)
  const open = await invoiceBalances({ customerIds: [customerId], openOnly: true })
  const overdue = open.filter((b) => b.status === 'overdue')
  const credit = await accountCredit(customerId)
  return {
    owed: money(open.reduce((s, b) => s + b.outstandingMinor, 0)),
    openInvoices: open.length,
    overdue: money(overdue.reduce((s, b) => s + b.outstandingMinor, 0)),
    overdueInvoices: overdue.length,
    credit: money(credit.totalMinor),
    status: overdue.length
      ? ('overdue' as const)
      : open.some((b) => b.status === 'part_paid')
        ? ('part_paid' as const)
        : open.length
          ? ('unpaid' as const)
          : ('paid' as const),
    portalSuspended: Boolean(customer.portalSuspendedAt),
  }
}

export type AccountSummaryView = Awaited<ReturnType<typeof accountSummary>>

/** The invoice page's payments panel: status, what is left, and every payment and credit put against it. */
export async function invoiceSettlement(invoiceId: number) {
  const [b] = await invoiceBalances({ invoiceIds: [invoiceId] })
  if (!b) return null
  const money = (m: number) => formatMoney(m, b.currency)
  const payments = await db
    .from('payment_allocations as a')
    .join('payments as p', 'p.id', 'a.payment_id')
    .where('a.invoice_id', invoiceId)
    .orderBy('p.received_on')
    .select('p.id', 'p.received_on', 'p.method', 'p.reference', 'a.amount_minor')
  const credits = await db
    .from('credit_note_applications as a')
    .join('credit_notes as n', 'n.id', 'a.credit_note_id')
    .where('a.invoice_id', invoiceId)
    .orderBy('a.id')
    .select('n.id', 'n.number', 'a.amount_minor')
  return {
    status: b.status,
    statusLabel: b.statusLabel,
    daysOverdue: b.daysOverdue,
    paid: money(b.paidMinor),
    credited: money(b.creditedMinor),
    outstanding: money(b.outstandingMinor),
    entries: [
      ...payments.map((p: any) => ({
        key: `p${p.id}`,
        href: `/payments/${p.id}`,
        label: `${METHODS[p.method as keyof typeof METHODS] ?? p.method} ${dateOnly(p.received_on)}${p.reference ? ` · ${p.reference}` : ''}`,
        amount: money(int(p.amount_minor)),
      })),
      ...credits.map((c: any) => ({
        key: `c${c.id}`,
        href: `/credit-notes/${c.id}/pdf`,
        label: `Credit note ${c.number}`,
        amount: money(int(c.amount_minor)),
      })),
    ],
  }
}

export type InvoiceSettlementView = NonNullable<Awaited<ReturnType<typeof invoiceSettlement>>>
