/*
 * Invoice PDF throughput: N invoices of 3 A4 pages each through our pipeline
 * (Handlebars templates → page pool with JS off and requests blocked → PDF →
 * SHA-256 → drive) against a bare Chromium loop (one page, setContent +
 * page.pdf) over the very same HTML. BENCH_PDFS=1000 by default.
 */
import { createHash } from 'node:crypto'
import { DateTime } from 'luxon'
import { bootApp } from './boot_app.js'

export async function run() {
  await bootApp()
  const { default: Invoice } = await import('#models/invoice')
  const { default: InvoiceLine } = await import('#models/invoice_line')
  const { loadTemplates } = await import('#documents/templates')
  const { buildInvoiceView } = await import('#documents/invoice_view')
  const { PdfRenderer, launchChromium } = await import('#documents/pdf_renderer')
  const { invoiceTotals } = await import('#lib/money')
  const { default: drive } = await import('@adonisjs/drive/services/main')
  const { execFileSync } = await import('node:child_process')

  const count = Number(process.env.BENCH_PDFS ?? 1000)
  const EMPLOYEES = Number(process.env.BENCH_EMPLOYEES ?? 7)
  const pagesInPool = Number(process.env.PDF_PAGES ?? 2)
  const templates = loadTemplates()
  const categories = ['uk_mobile', 'uk_landline', 'international', 'data']

  /** A synthetic finalized invoice: EMPLOYEES employees × 1 service × up to 4 categories + rental, 1 unallocated. */
  function source(i: number) {
    const invoice = new Invoice()
    invoice.merge({
      id: i + 1,
      billingRunId: 1,
      customerId: i + 1,
      period: '2026-10',
      number: `INV-${String(i + 1).padStart(6, '0')}`,
      status: 'finalized',
      currency: 'GBP',
      issueDate: DateTime.fromISO('2026-11-01'),
      taxPoint: DateTime.fromISO('2026-11-01'),
      dueDate: DateTime.fromISO('2026-12-01'),
    })
    const lines: InstanceType<typeof InvoiceLine>[] = []
    const employees: Record<number, any> = {}
    const services: Record<number, any> = {}
    for (let e = 1; e <= EMPLOYEES; e++) {
      employees[e] = {
        name: `Employee ${e} of customer ${i}`,
        employee_number: `E${e}`,
        department_id: (e % 3) + 1,
      }
      services[e] = {
        kind: 'mobile',
        identifier: `+44770090${String(e).padStart(4, '0')}`,
        label: null,
      }
      for (const [c, category] of categories.slice(0, 2 + (e % 3)).entries()) {
        lines.push(
          Object.assign(new InvoiceLine(), {
            invoiceId: i + 1,
            employeeId: e,
            departmentId: (e % 3) + 1,
            serviceId: e,
            kind: 'usage',
            category,
            description: category,
            quantity: 10 + c + e,
            unitPriceE4: 0,
            amountMinor: 137 * (c + 1) + e * 13 + (i % 97),
            taxRateBp: 2000,
          })
        )
      }
      lines.push(
        Object.assign(new InvoiceLine(), {
          invoiceId: i + 1,
          employeeId: e,
          departmentId: (e % 3) + 1,
          serviceId: e,
          kind: 'recurring',
          category: 'line_rental',
          description: 'Mobile line rental (Nov 2026)',
          quantity: 1,
          unitPriceE4: 125000,
          amountMinor: 1250,
          taxRateBp: 2000,
        })
      )
    }
    lines.push(
      Object.assign(new InvoiceLine(), {
        invoiceId: i + 1,
        employeeId: null,
        departmentId: null,
        serviceId: null,
        kind: 'usage',
        category: 'uk_landline',
        description: 'UK landline',
        quantity: 4,
        unitPriceE4: 0,
        amountMinor: 311,
        taxRateBp: 2000,
      })
    )
    const totals = invoiceTotals(lines)
    invoice.merge({
      subtotalMinor: totals.subtotalMinor,
      taxMinor: totals.taxMinor,
      totalMinor: totals.totalMinor,
    })
    const snapshot = {
      taxes: totals.taxes,
      recurring_month: '2026-11',
      customer: {
        account_number: `ACC${i}`,
        name: `Customer ${i} Ltd`,
        address: '1 High Street\nLondon\nEC1A 1AA',
        vat_number: 'GB987654321',
        tax_rate_bp: 2000,
        payment_terms_days: 30,
        time_zone: 'Europe/London',
        itemise_calls: false,
      },
      supplier: {
        name: 'Reseller Communications Ltd',
        address: '10 Exchange Street\nManchester\nM2 7EE',
        vat_number: 'GB123456789',
        company_number: '01234567',
        email: 'billing@reseller.example',
        phone: '0161 496 0000',
        payment_details: 'Sort code 12-34-56\nAccount 12345678',
      },
      employees,
      departments: { 1: { name: 'Sales' }, 2: { name: 'Operations' }, 3: { name: 'Finance' } },
      services,
    }
    invoice.snapshot = snapshot
    return { invoice, lines, snapshot, itemised: null }
  }

  // Ours: view model + template + pooled render + hash + drive, `pagesInPool` lanes.
  const renderer = await PdfRenderer.launch({ pages: pagesInPool })
  const htmls: string[] = []
  let pagesChecked = 0
  const started = process.hrtime.bigint()
  let next = 0
  await Promise.all(
    Array.from({ length: pagesInPool }, async () => {
      while (next < count) {
        const i = next++
        const html = templates.render(
          'invoice',
          buildInvoiceView(source(i), { logo: templates.logo })
        )
        htmls[i] = html
        const pdf = await renderer.render(html, { footer: `INV-${i + 1}` })
        const sha = createHash('sha256').update(pdf).digest('hex')
        await drive.use().put(`bench/invoices/${i + 1}-${sha.slice(0, 16)}.pdf`, pdf)
        if (i === 0) {
          await drive.use().put('bench/sample.pdf', pdf)
          const info = execFileSync('pdfinfo', ['-'], { input: pdf }).toString()
          pagesChecked = Number(/Pages:\s+(\d+)/.exec(info)?.[1] ?? 0)
        }
      }
    })
  )
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await renderer.close()

  // Baseline: a bare Chromium page.pdf loop over the same HTML (one page, defaults).
  const browser = await launchChromium()
  const page = await browser.newPage()
  const baseStarted = process.hrtime.bigint()
  // Same PDF options as ours (untagged, CSS page size), so only the pipeline differs.
  for (const html of htmls) {
    await page.setContent(html)
    await page.pdf({
      format: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
      tagged: false,
      outline: false,
    })
  }
  const baseSeconds = Number(process.hrtime.bigint() - baseStarted) / 1e9
  await browser.close()
  await drive
    .use()
    .deleteAll('bench/invoices')
    .catch(() => {})

  const pdfsPerS = count / seconds
  const baselinePerS = count / baseSeconds
  return {
    pdfs: count,
    pages_per_pdf: pagesChecked,
    pool_pages: pagesInPool,
    seconds: Number(seconds.toFixed(2)),
    pdfs_per_s: Number(pdfsPerS.toFixed(2)),
    baseline_seconds: Number(baseSeconds.toFixed(2)),
    baseline_pdfs_per_s: Number(baselinePerS.toFixed(2)),
    ratio: Number((pdfsPerS / baselinePerS).toFixed(3)),
  }
}
