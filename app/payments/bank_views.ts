import db from '@adonisjs/lucid/services/db'
import BankStatementProfile from '#models/bank_statement_profile'
import { formatMoney } from '#lib/money'
import { int } from '#lib/db_helpers'
import { dateOnly } from '#rating/recurring'
import { invoiceBalances } from '#payments/balances'
import { referenceTokens, type StatementProfile } from '#payments/statement_csv'
import {
  customerOptions,
  openInvoicesFor,
  type OpenInvoiceView,
  type PaymentCustomerOption,
} from '#payments/views'

/**
 * Read models for the bank statement pages: imports and profiles (payments/statements), the
 * unmatched queue (payments/unmatched), one import (payments/statement_import) and one line to
 * settle (payments/line). Amounts are formatted with their currency; `amountMinor` is exact.
 */

/** A CSV layout statements are read with: the columns' headings, the date format, the delimiter. */
export type StatementProfileView = { id: number; name: string } & StatementProfile

/** A statement file as imported: how many of its lines were new, duplicates, matched or left to settle. */
export type StatementImportRow = {
  id: number
  filename: string
  /** The profile's name; null once the profile is deleted. */
  profile: string | null
  createdAt: string
  lines: number
  newLines: number
  duplicates: number
  matched: number
  unmatched: number
}

export type StatementsPageProps = {
  profiles: StatementProfileView[]
  /** The latest 100 imports, newest first. */
  imports: StatementImportRow[]
  /** Lines waiting to be allocated by hand. */
  unmatched: number
}

export type BankLineStatus = 'matched' | 'unmatched' | 'allocated' | 'ignored'

/** One statement line; `amount` is formatted in the currency of the customer it is for (GBP until one is chosen). */
export type BankLineView = {
  id: number
  importId: number
  lineNumber: number
  /** "yyyy-MM-dd" */
  bookedOn: string
  amount: string
  amountMinor: number
  reference: string
  description: string
  status: BankLineStatus
  statusLabel: string
  paymentId: number | null
}

export type UnmatchedQueueProps = { lines: BankLineView[] }

export type StatementImportProps = {
  statement: Omit<StatementImportRow, 'profile' | 'createdAt'>
  lines: BankLineView[]
}

export type LineToAllocateProps = {
  line: BankLineView
  customers: PaymentCustomerOption[]
  /** The chosen customer (or the one whose invoice number the line names); null: none yet. */
  customerId: number | null
  /** The customer's open invoices with the line's amount suggested over them, oldest due first. */
  openInvoices: OpenInvoiceView[]
}

/** A bank_statement_lines row as the queries select it (`select *`). */
type LineRow = {
  id: number | string
  import_id: number | string
  line_number: number | string
  booked_on: Date | string
  amount_minor: number | string | bigint
  reference: string
  description: string
  status: BankLineStatus
  payment_id: number | string | null
}

const STATUS_LABELS: Record<BankLineStatus, string> = {
  matched: 'Matched',
  unmatched: 'Unmatched',
  allocated: 'Allocated by hand',
  ignored: 'Ignored',
}

export async function statementsPageProps(): Promise<StatementsPageProps> {
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
    imports: imports.map((i) => ({
      id: Number(i.id),
      filename: String(i.filename),
      profile: i.profile === null ? null : String(i.profile),
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

function lineView(l: LineRow, currency = 'GBP'): BankLineView {
  return {
    id: Number(l.id),
    importId: Number(l.import_id),
    lineNumber: Number(l.line_number),
    bookedOn: dateOnly(l.booked_on)!,
    amount: formatMoney(int(l.amount_minor), currency),
    amountMinor: int(l.amount_minor),
    reference: String(l.reference),
    description: String(l.description),
    status: l.status,
    statusLabel: STATUS_LABELS[l.status] ?? l.status,
    paymentId: l.payment_id ? Number(l.payment_id) : null,
  }
}

export async function unmatchedQueueProps(): Promise<UnmatchedQueueProps> {
  const lines = await db
    .from('bank_statement_lines')
    .where('status', 'unmatched')
    .orderBy('booked_on')
    .orderBy('id')
    .limit(500)
  return { lines: lines.map((l: LineRow) => lineView(l)) }
}

export async function statementImportProps(importId: number): Promise<StatementImportProps | null> {
  const imp = await db.from('bank_statement_imports').where('id', importId).first()
  if (!imp) return null
  const lines = await db
    .from('bank_statement_lines')
    .where('import_id', importId)
    .orderBy('line_number')
  return {
    statement: {
      id: Number(imp.id),
      filename: String(imp.filename),
      lines: Number(imp.lines),
      newLines: Number(imp.new_lines),
      duplicates: Number(imp.duplicates),
      matched: Number(imp.matched),
      unmatched: Number(imp.unmatched),
    },
    lines: lines.map((l: LineRow) => lineView(l)),
  }
}

/**
 * One unmatched line to settle by hand: the chosen customer's open invoices with the line's amount
 * suggested over them; without a choice, the customer whose invoice number the line names.
 */
export async function lineToAllocateProps(
  lineId: number,
  customerId?: number
): Promise<LineToAllocateProps | null> {
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
