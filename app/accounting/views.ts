import db from '@adonisjs/lucid/services/db'
import { categoryLabel } from '#lib/labels'
import { formatMoney, formatScaled } from '#lib/money'
import {
  ACCOUNT_CATEGORIES,
  ACCOUNTING_DEFAULTS,
  getAccountingSettings,
} from '#accounting/settings'
import { exportSummary, type ExportSummary } from '#accounting/export'
import { FILE_KINDS, PRODUCTS } from '#accounting/formats'
import type { Selection } from '#accounting/documents'

/** Read models of the accounts pages (Accounts → Export, Accounts → Codes). */

export type AccountingSettingsPage = {
  categories: { code: string; label: string; account: string; defaultAccount: string }[]
  /** VAT rates as "20.00" strings for the form; the server converts back to basis points. */
  taxes: { rate: string; xero: string; sage: string; quickbooks: string }[]
  sageBankNominal: string
}

export async function accountingSettingsPage(): Promise<AccountingSettingsPage> {
  const settings = await getAccountingSettings()
  return {
    categories: ACCOUNT_CATEGORIES.map((code) => ({
      code,
      label: categoryLabel(code),
      account: settings.accounts[code],
      defaultAccount: ACCOUNTING_DEFAULTS.accounts[code],
    })),
    taxes: settings.taxes.map((t) => ({
      rate: formatScaled(t.rateBp, 2),
      xero: t.xero,
      sage: t.sage,
      quickbooks: t.quickbooks,
    })),
    sageBankNominal: settings.sageBankNominal,
  }
}

export type AccountingExportPage = {
  products: { value: string; label: string; files: { value: string; label: string }[] }[]
  runs: { id: number; label: string }[]
  selection: { runId: number | null; from: string | null; to: string | null }
  summary: (ExportSummary & { invoiced: string; credited: string; received: string }) | null
  problem: string | null
}

async function finalizedRuns() {
  const rows = await db
    .from('billing_runs')
    .where('status', 'finalized')
    .orderBy('id', 'desc')
    .limit(100)
    .select('id', 'period')
  const counts = await db
    .from('invoices')
    .whereIn(
      'billing_run_id',
      rows.map((r: any) => r.id)
    )
    .groupBy('billing_run_id')
    .select('billing_run_id')
    .count('* as n')
  const n = new Map(counts.map((c: any) => [Number(c.billing_run_id), Number(c.n)]))
  return rows.map((r: any) => ({
    id: Number(r.id),
    label: `Run #${r.id} · ${r.period} · ${n.get(Number(r.id)) ?? 0} invoices`,
  }))
}

/** The summary is in the reseller's usual currency (GBP); the files carry each document's own currency. */
export async function accountingExportPage(
  selection: Selection | null
): Promise<AccountingExportPage> {
  const products = Object.entries(PRODUCTS).map(([value, label]) => ({
    value,
    label,
    files: Object.entries(FILE_KINDS[value as keyof typeof PRODUCTS]).map(([kind, text]) => ({
      value: kind,
      label: text,
    })),
  }))
  let summary: AccountingExportPage['summary'] = null
  let problem: string | null = null
  if (selection) {
    try {
      const s = await exportSummary(selection)
      summary = {
        ...s,
        invoiced: formatMoney(s.invoicedMinor),
        credited: formatMoney(s.creditedMinor),
        received: formatMoney(s.receivedMinor),
      }
    } catch (error: any) {
      problem = String(error?.message ?? error)
    }
  }
  return {
    products,
    runs: await finalizedRuns(),
    selection: {
      runId: selection && 'runId' in selection ? selection.runId : null,
      from: selection && 'from' in selection ? selection.from : null,
      to: selection && 'to' in selection ? selection.to : null,
    },
    summary,
    problem,
  }
}
