import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { sqlTime } from '#lib/db_helpers'
import { makeCustomer } from '#tests/helpers/factories'

/**
 * Finalized invoices written straight to the tables (billing runs and rating belong to other
 * areas and are tested there): exact totals, numbers and dates a payments test can reason about.
 */

let seq = 0

export async function makeInvoice(
  customer: Customer,
  attrs: {
    totalMinor: number
    issueDate: string
    dueDate: string
    number?: string
    period?: string
    status?: 'draft' | 'finalized'
  }
) {
  const now = sqlTime()
  const period = attrs.period ?? `${attrs.issueDate.slice(0, 7)}`
  const [runId] = await db.table('billing_runs').insert({
    period,
    status: 'finalized',
    customer_ids: JSON.stringify([customer.id]),
    created_at: now,
  })
  const number = attrs.number ?? `INV-${String(++seq + 1000).padStart(6, '0')}`
  const subtotal = Math.round((attrs.totalMinor * 5) / 6)
  const [id] = await db.table('invoices').insert({
    billing_run_id: Number(runId),
    customer_id: customer.id,
    period,
    number: attrs.status === 'draft' ? null : number,
    status: attrs.status ?? 'finalized',
    issue_date: attrs.issueDate,
    tax_point: attrs.issueDate,
    due_date: attrs.dueDate,
    currency: customer.currency,
    subtotal_minor: subtotal,
    tax_minor: attrs.totalMinor - subtotal,
    total_minor: attrs.totalMinor,
    snapshot: JSON.stringify({
      customer: {
        name: customer.name,
        account_number: customer.accountNumber,
        billing_email: customer.billingEmail,
        tax_rate_bp: 2000,
        time_zone: customer.timeZone,
      },
      supplier: { name: 'Reseller Communications Ltd' },
    }),
    created_at: now,
  })
  return { id: Number(id), number, totalMinor: attrs.totalMinor }
}

/** A customer with three finalized invoices of different ages (due 2026-09-01, 10-01, 11-01). */
export async function customerWithInvoices(attrs: Partial<Customer> = {}) {
  const customer = await makeCustomer(attrs)
  const sept = await makeInvoice(customer, {
    totalMinor: 12000,
    issueDate: '2026-08-02',
    dueDate: '2026-09-01',
    period: '2026-07',
  })
  const oct = await makeInvoice(customer, {
    totalMinor: 24000,
    issueDate: '2026-09-01',
    dueDate: '2026-10-01',
    period: '2026-08',
  })
  const nov = await makeInvoice(customer, {
    totalMinor: 36050,
    issueDate: '2026-10-02',
    dueDate: '2026-11-01',
    period: '2026-09',
  })
  return { customer, invoices: [sept, oct, nov] }
}

/** A header with its RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=) decoded. */
export function decodedHeader(raw: Buffer, name: string) {
  const head = raw
    .toString('utf8')
    .split(/\r?\n\r?\n/)[0]
    .replace(/\r?\n[ \t]+/g, ' ')
  const value = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1].trim() ?? null
  if (value === null) return null
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_m, h) => String.fromCharCode(Number.parseInt(h, 16))),
            'latin1'
          ).toString('utf8')
    )
}

/** The decoded text/html part of a raw message (quoted-printable or base64). */
export function htmlPart(raw: Buffer) {
  const text = raw.toString('latin1')
  const at = text.toLowerCase().indexOf('content-type: text/html')
  const headEnd = text.indexOf('\r\n\r\n', at)
  const headers = text.slice(at, headEnd).toLowerCase()
  const rest = text.slice(headEnd + 4)
  const body = rest.slice(0, rest.indexOf('\r\n--'))
  if (headers.includes('base64'))
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  return Buffer.from(
    body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1'
  ).toString('utf8')
}
