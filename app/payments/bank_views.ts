import db from '@adonisjs/lucid/services/db'
import BankStatementProfile from '#models/bank_statement_profile'
import { formatMoney } from '#lib/money'
import { int } from '#lib/db_helpers'
import { dateOnly } from '#rating/recurring'
import { invoiceBalances } from '#payments/balances'
import { referenceTokens } from '#payments/statement_csv'
import { customerOptions, openInvoicesFor } from '#payments/views'

/** Read models for the bank statement pages: imports and profiles, the unmatched queue, one line to settle. */

const STATUS_LABELS: Record<string, string> = {
  matched: 'Matched',
  unmatched: 'Unmatched',
  allocated: 'Allocated by hand',
  ignored: 'Ignored',
}

export async function statementsPage() {
  const profiles = await BankStatementProfile.query().orderBy('name')
  const imports = await db
    .from('bank_statement_imports as b')
    .leftJoin('bank_statement_profiles as p', 'p.id', 'b.profile_id')
    .orderBy('b.id', 'desc')
    .limit(100)
    .select('b.*', 'p.name as profile')
  const waiting = await db
    .from('bank_statement_lines')
    .where('status', 'unmatched')
    .count('* as n')
    .first()
  return {
    profiles: profiles.map((p) => ({
      id: p.id,
      name: p.name,
      dateColumn: p.dateColumn,
      amountColumn: p.amountColumn,
      referenceColumn: p.referenceColumn,
      descriptionColumn: p.descriptionColumn,
      dateFormat: p.dateFormat,
      delimiter: p.delimiter,
    })),
    imports: imports.map((i: any) => ({
      id: Number(i.id),
      filename: i.filename,
      profile: i.profile,
      createdAt: new Date(i.created_at).toISOString(),
      lines: Number(i.lines),
      newLines: Number(i.new_lines),
      duplicates: Number(i.duplicates),
      matched: Number(i.matched),
      unmatched: Number(i.unmatched),
    })),
    unmatched: Number(waiting?.n ?? 0),
  }
}

function lineView(l: any, currency = 'GBP') {
  return {
    id: Number(l.id),
    importId: Number(l.import_id),
    lineNumber: Number(l.line_number),
    bookedOn: dateOnly(l.booked_on)!,
    amount: formatMoney(int(l.amount_minor), currency),
    amountMinor: int(l.amount_minor),
    reference: l.reference,
    description: l.description,
    status: l.status,
    statusLabel: STATUS_LABELS[l.status] ?? l.status,
    paymentId: l.payment_id ? Number(l.payment_id) : null,
  }
}

export async function unmatchedQueue() {
  const lines = await db
    .from('bank_statement_lines')
    .where('status', 'unmatched')
    .orderBy('booked_on')
    .orderBy('id')
    .limit(500)
  return { lines: lines.map((l: any) => lineView(l)) }
}

export async function importDetail(importId: number) {
  const imp = await db.from('bank_statement_imports').where('id', importId).first()
  if (!imp) return null
  const lines = await db
    .from('bank_statement_lines')
    .where('import_id', importId)
    .orderBy('line_number')
  return {
    statement: {
      id: Number(imp.id),
      filename: imp.filename,
      lines: Number(imp.lines),
      newLines: Number(imp.new_lines),
      duplicates: Number(imp.duplicates),
      matched: Number(imp.matched),
      unmatched: Number(imp.unmatched),
    },
    lines: lines.map((l: any) => lineView(l)),
  }
}

/**
 * One unmatched line to settle by hand: the chosen customer's open invoices with the line's amount
 * suggested over them; without a choice, the customer whose invoice number the line names.
 */
export async function lineToAllocate(lineId: number, customerId?: number) {
  const line = await db.from('bank_statement_lines').where('id', lineId).first()
  if (!line) return null
  let chosen = customerId ?? null
  if (!chosen) {
    const tokens = new Set([
      ...referenceTokens(line.reference),
      ...referenceTokens(line.description),
    ])
    const named = (await invoiceBalances({ openOnly: true })).find((b) =>
      tokens.has(b.number.toUpperCase())
    )
    chosen = named?.customerId ?? null
  }
  const customer = chosen
    ? await db.from('customers').where('id', chosen).select('id', 'name', 'currency').first()
    : null
  return {
    line: lineView(line, customer?.currency),
    customers: await customerOptions(),
    customerId: customer ? Number(customer.id) : null,
    openInvoices: customer
      ? await openInvoicesFor(Number(customer.id), int(line.amount_minor))
      : [],
  }
}

export type StatementsPageView = Awaited<ReturnType<typeof statementsPage>>
export type UnmatchedQueueView = Awaited<ReturnType<typeof unmatchedQueue>>
export type LineToAllocateView = NonNullable<Awaited<ReturnType<typeof lineToAllocate>>>
export type ImportDetailView = NonNullable<Awaited<ReturnType<typeof importDetail>>>
