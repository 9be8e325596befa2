import db from '@adonisjs/lucid/services/db'
import { csvLine } from '#lib/csv'
import { int } from '#lib/db_helpers'
import { getAccountingSettings } from '#accounting/settings'
import { creditNotesOf, invoicesOf, paymentsOf, type Selection } from '#accounting/documents'
import { buildTable, type FileKind, type Product } from '#accounting/formats'
import { AccountingError } from '#accounting/errors'

/**
 * One accounts export: the documents of the selection, in the chosen package's import layout, as a
 * CSV whose every cell goes through csvCell (formula-safe). Read in one transaction so invoices,
 * credit notes and payments are one consistent picture even while people record payments.
 */

export interface AccountsFile {
  filename: string
  csv: string
  rows: number
  /** Σ of what the file books, in minor units: invoices − credit notes, or payments. */
  totalMinor: number
}

async function selectionName(selection: Selection) {
  if ('runId' in selection) {
    const run = await db
      .from('billing_runs')
      .where('id', selection.runId)
      .select('id', 'period', 'status')
      .first()
    if (!run) throw new AccountingError('That billing run does not exist', 'runId')
    if (run.status !== 'finalized')
      throw new AccountingError('Only a finalized run can be exported; finalize it first', 'runId')
    return `run-${run.id}-${run.period}`
  }
  if (selection.from > selection.to)
    throw new AccountingError('The start date is after the end date', 'from')
  return `${selection.from}-to-${selection.to}`
}

export async function exportAccounts(
  product: Product,
  kind: FileKind,
  selection: Selection
): Promise<AccountsFile> {
  const name = await selectionName(selection)
  return db.transaction(async (trx) => {
    const settings = await getAccountingSettings(trx)
    const docs =
      kind === 'sales'
        ? [...(await invoicesOf(selection, trx)), ...(await creditNotesOf(selection, trx))]
        : []
    const payments = kind === 'payments' ? await paymentsOf(selection, trx) : []
    const table = buildTable(product, kind, { docs, payments, settings })
    const totalMinor =
      kind === 'sales'
        ? docs.reduce((s, d) => s + (d.kind === 'credit_note' ? -d.totalMinor : d.totalMinor), 0)
        : payments.reduce((s, p) => s + p.amountMinor, 0)
    const csv = [table.headers, ...table.rows].map(csvLine).join('\r\n') + '\r\n'
    return {
      filename: `tollgate-${product}-${kind}-${name}.csv`,
      csv,
      rows: table.rows.length,
      totalMinor,
    }
  })
}

export interface ExportSummary {
  invoices: number
  creditNotes: number
  payments: number
  invoicedMinor: number
  creditedMinor: number
  receivedMinor: number
}

/** What a selection holds, for the export page before downloading (one currency assumed per line of the page). */
export async function exportSummary(selection: Selection): Promise<ExportSummary> {
  await selectionName(selection)
  const invoices = await invoicesOf(selection)
  const notes = await creditNotesOf(selection)
  const payments = await paymentsOf(selection)
  return {
    invoices: invoices.length,
    creditNotes: notes.length,
    payments: payments.length,
    invoicedMinor: invoices.reduce((s, d) => s + d.totalMinor, 0),
    creditedMinor: notes.reduce((s, d) => s + d.totalMinor, 0),
    receivedMinor: payments.reduce((s, p) => s + int(p.amountMinor), 0),
  }
}
