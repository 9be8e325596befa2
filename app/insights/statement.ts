import { withRenderer } from '#documents/pdf_renderer'
import { formatMoney } from '#lib/money'
import type { Range } from '#insights/queries'
import { employeeDetail } from '#insights/queries'

/**
 * Per-employee statement: the employee's usage month by month and category by category over a range,
 * from the rollups, rendered as HTML and printed by Chromium (JavaScript off, every request blocked).
 * Printed by app/documents' PdfRenderer, the one the invoices use.
 */

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
  )

export type StatementInput = {
  customer: { name: string; accountNumber: string; currency: string }
  employee: {
    name: string
    employeeNumber: string | null
    department: string | null
    email: string | null
  }
  range: Range
  detail: Awaited<ReturnType<typeof employeeDetail>>
  generatedAt?: Date
}

export function statementHtml(input: StatementInput): string {
  const { customer, employee, range, detail } = input
  const money = (minor: number) => formatMoney(minor, customer.currency)
  const byCategory = new Map<string, number>()
  for (const l of detail.lines)
    byCategory.set(l.category, (byCategory.get(l.category) ?? 0) + l.amountMinor)
  const monthRows = detail.trend
    .map(
      (t) =>
        `<tr><td>${esc(t.period)}</td>${detail.categories.map((c) => `<td class="num">${money(t.byCategory[c] ?? 0)}</td>`).join('')}<td class="num"><b>${money(t.amountMinor)}</b></td></tr>`
    )
    .join('')
  const lineRows = detail.lines
    .map(
      (l) =>
        `<tr><td>${esc(l.period)}</td><td>${esc(l.category)}${l.kind === 'recurring' ? ' <span class="muted">(recurring charge)</span>' : ''}</td><td class="num">${l.records}</td><td class="num">${Math.round(l.durationS / 60)}</td><td class="num">${(l.volumeBytes / 1048576).toFixed(1)}</td><td class="num">${money(l.amountMinor)}</td></tr>`
    )
    .join('')
  return `<!doctype html><html><head><meta charset="utf-8"><title>Statement ${esc(employee.name)}</title>
<style>
  @page { size: A4; margin: 15mm 12mm; }
  body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; color: #1f2933; margin: 0; }
  h1 { font-size: 16pt; margin: 0 0 4px; } h2 { font-size: 12pt; margin: 18px 0 6px; }
  .muted { color: #64748b; } table { width: 100%; border-collapse: collapse; margin-top: 6px; }
  th, td { padding: 4px 6px; border-bottom: 1px solid #e2e8f0; text-align: left; font-size: 9pt; }
  th { background: #f1f5f9; } .num { text-align: right; } .total td { font-weight: bold; border-top: 2px solid #1f2933; }
  .head { display: flex; justify-content: space-between; }
</style></head><body>
<div class="head"><div><h1>Usage statement</h1><div>${esc(employee.name)}${employee.employeeNumber ? ` · ${esc(employee.employeeNumber)}` : ''}</div>
<div class="muted">${esc(employee.department ?? 'No department')}${employee.email ? ` · ${esc(employee.email)}` : ''}</div></div>
<div style="text-align:right"><b>${esc(customer.name)}</b><div class="muted">Account ${esc(customer.accountNumber)}</div>
<div class="muted">${esc(range.from)} to ${esc(range.to)}</div></div></div>
<h2>Total for the period: ${money(detail.totalMinor)}</h2>
<table><thead><tr><th>Category</th><th class="num">Amount</th></tr></thead><tbody>
${[...byCategory.entries()].map(([c, v]) => `<tr><td>${esc(c)}</td><td class="num">${money(v)}</td></tr>`).join('')}
<tr class="total"><td>Total</td><td class="num">${money(detail.totalMinor)}</td></tr></tbody></table>
<h2>Month by month</h2>
<table><thead><tr><th>Month</th>${detail.categories.map((c) => `<th class="num">${esc(c)}</th>`).join('')}<th class="num">Total</th></tr></thead><tbody>${monthRows}</tbody></table>
<h2>Detail</h2>
<table><thead><tr><th>Month</th><th>Category</th><th class="num">Records</th><th class="num">Minutes</th><th class="num">MB</th><th class="num">Amount</th></tr></thead><tbody>${lineRows || '<tr><td colspan="6" class="muted">No usage in this period.</td></tr>'}</tbody></table>
<p class="muted">Amounts exclude VAT and include recurring charges (licences, line rental) for the months they are active in, pro-rata by days. Generated ${esc((input.generatedAt ?? new Date()).toISOString().slice(0, 10))}.</p>
</body></html>`
}

/** Prints self-contained HTML to an A4 PDF with the documents' renderer (JavaScript off, requests blocked). */
export async function htmlToPdf(html: string): Promise<Buffer> {
  return withRenderer((renderer) => renderer.render(html), { pages: 1 })
}
