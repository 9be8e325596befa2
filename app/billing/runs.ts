import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import { billingHooks } from '#billing/hooks'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import BillingRun from '#models/billing_run'
import Customer from '#models/customer'
import Invoice from '#models/invoice'
import InvoiceLine from '#models/invoice_line'
import { audit } from '#lib/audit'
import { computeInvoice, computeRecurring, billableRecords, blockedCounts } from '#billing/compute'
import { formatNumber, takeNumbers } from '#billing/numbering'
import { getSettings, type BillingSettings } from '#billing/settings'
import { describeInvoice } from '#billing/snapshot'
import { int, isDuplicateKey, isMysql, PERIOD_RE, sqlTime, retryOnDeadlock } from '#lib/db_helpers'
import { flagInvoices, heldInvoiceIds, flagsByInvoice } from '#billing/flags'
import { captureDraftLines, storeRegenerationDiffs } from '#billing/draft_diff'
import { periodProblem } from '#billing/period_guard'
import { recordWebhookEvents } from '#webhooks/events'
import { invoicePayload } from '#webhooks/payloads'
import { faultPoint } from '#lib/fault_points'

/**
 * Billing runs: draft → (review, regenerate) → finalized, or cancelled.
 *
 * Decisions (README, "Billing, invoices and email"):
 * - Drafts select usage by customer + invoice_id NULL + period ≤ the run's
 *   period: records of earlier periods that are still unbilled (late usage)
 *   go on this invoice, labelled with their period. Records get
 *   usage_records.invoice_id only at finalize, so re-rating can still change
 *   a draft's records and "regenerate" picks the change up. Two drafts (say
 *   March and April) may both show the same unbilled March record; the first
 *   to be finalized claims it and the other's fingerprint no longer matches,
 *   so it must be regenerated: a record is billed exactly once.
 * - A draft keeps a fingerprint (record count, exact e4 sum) of the usage it
 *   was built from; finalize recomputes it under the transaction and refuses
 *   a stale draft instead of billing records nobody reviewed.
 * - Recurring charges are billed month by month, each (charge, month) once:
 *   lines record recurring_charge_id / recurring_month, and the draft keeps
 *   a fingerprint of them (source.recurring). Two drafts may both show the
 *   same month; finalize recomputes the months under the transaction (the
 *   customer row locked on MySQL), so the first finalized bills it and the
 *   other is stale and must be regenerated.
 * - invoices has unique(customer_id, period): a customer and period can be in
 *   one active run only. Naming customers that are already billed fails; a run
 *   for "all customers" skips them and says so. Cancelling deletes the drafts.
 * - Customers with nothing to bill get no invoice.
 * - Unrated / unpriced records are never billed at 0. They block finalize
 *   unless the user explicitly acknowledges them (allowUnrated).
 */

export class BillingError extends Error {
  constructor(
    message: string,
    public code:
      | 'conflict'
      | 'invalid'
      | 'state'
      | 'stale'
      | 'unrated'
      | 'not_found'
      | 'open_period'
      | 'future'
      | 'flagged' = 'invalid'
  ) {
    super(message)
  }
}

export interface RunOptions {
  period: string
  /** null / undefined = every customer */
  customerIds?: number[] | null
  userId?: number | null
  onProgress?: (done: number, total: number) => void
  /** Bill a period that has not ended yet in a customer's time zone (an explicit choice). */
  openPeriod?: boolean
  /** The clock the period guard reads (tests); defaults to now. */
  now?: Date
}

export interface RunResult {
  run: BillingRun
  invoices: Invoice[]
  skipped: { customerId: number; account: string; reason: string }[]
}

async function conflictsFor(customerIds: number[], period: string, exceptRunId?: number) {
  if (!customerIds.length) return []
  const q = db
    .from('invoices')
    .join('customers', 'customers.id', 'invoices.customer_id')
    .whereIn('invoices.customer_id', customerIds)
    .where('invoices.period', period)
    .select(
      'invoices.customer_id',
      'invoices.billing_run_id',
      'invoices.status',
      'customers.account_number'
    )
  if (exceptRunId) q.whereNot('invoices.billing_run_id', exceptRunId)
  return q
}

export async function createRun(options: RunOptions): Promise<RunResult> {
  const { period } = options
  if (!PERIOD_RE.test(period))
    throw new BillingError(`"${period}" is not a YYYY-MM period`, 'invalid')
  const explicit = Array.isArray(options.customerIds)
  const customers = explicit
    ? await Customer.query().whereIn('id', options.customerIds!).orderBy('account_number')
    : await Customer.query().orderBy('account_number')
  if (explicit && customers.length !== new Set(options.customerIds).size) {
    throw new BillingError('Unknown customer in the run', 'not_found')
  }

  const problem = periodProblem(period, customers, {
    openPeriod: options.openPeriod,
    now: options.now,
  })
  if (problem) throw new BillingError(problem.message, problem.code)

  const skipped: RunResult['skipped'] = []
  const conflicts = await conflictsFor(
    customers.map((c) => c.id),
    period
  )
  if (conflicts.length && explicit) {
    const c = conflicts[0]
    throw new BillingError(
      `Customer ${c.account_number} already has a ${c.status} invoice for ${period} in billing run #${c.billing_run_id}` +
        (c.status === 'draft'
          ? ': finalize or cancel that run first'
          : ': correct it with a credit note'),
      'conflict'
    )
  }
  const taken = new Set(conflicts.map((c) => Number(c.customer_id)))
  for (const c of conflicts) {
    skipped.push({
      customerId: Number(c.customer_id),
      account: c.account_number,
      reason: `already in run #${c.billing_run_id} (${c.status})`,
    })
  }
  const included = customers.filter((c) => !taken.has(c.id))

  const run = await BillingRun.create({
    period,
    status: 'draft',
    customerIds: included.map((c) => c.id),
    createdBy: options.userId ?? null,
  })
  try {
    const invoices = await buildInvoices(run, included, skipped, explicit, options.onProgress)
    await audit({
      userId: options.userId,
      action: 'billing_run.create',
      subjectType: 'billing_run',
      subjectId: run.id,
      changes: { period, customers: included.length, invoices: invoices.length },
    })
    return { run, invoices, skipped }
  } catch (error) {
    await db.transaction(async (trx) => {
      await deleteRunInvoices(trx, run.id)
      await trx.from('billing_runs').where('id', run.id).delete()
    })
    throw error
  }
}

async function buildInvoices(
  run: BillingRun,
  customers: Customer[],
  skipped: RunResult['skipped'],
  failOnConflict: boolean,
  onProgress?: (done: number, total: number) => void
) {
  const invoices: Invoice[] = []
  let done = 0
  for (const customer of customers) {
    try {
      const invoice = await db.transaction(async (trx) => buildInvoice(trx, run, customer))
      faultPoint('billing_run.mid_build')
      if (invoice) invoices.push(invoice)
      else
        skipped.push({
          customerId: customer.id,
          account: customer.accountNumber,
          reason: 'nothing to bill',
        })
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
      const reason = `another run billed ${customer.accountNumber} for ${run.period} at the same time`
      if (failOnConflict) throw new BillingError(`Customer ${reason}`, 'conflict')
      skipped.push({ customerId: customer.id, account: customer.accountNumber, reason })
    }
    onProgress?.(++done, customers.length)
  }
  // Flags read committed data (anomalies, history), so they are computed once the drafts exist.
  await flagInvoices(invoices.map((i) => i.id))
  return invoices
}

/** Builds one draft invoice and its lines; null when there is nothing to bill. */
async function buildInvoice(
  trx: TransactionClientContract,
  run: BillingRun,
  customer: Customer
): Promise<Invoice | null> {
  const computed = await computeInvoice(trx, customer, run.period)
  if (!computed.lines.length) return null
  const invoice = await Invoice.create(
    {
      billingRunId: run.id,
      customerId: customer.id,
      period: run.period,
      number: null,
      status: 'draft',
      currency: customer.currency,
      subtotalMinor: computed.subtotalMinor,
      taxMinor: computed.taxMinor,
      totalMinor: computed.totalMinor,
      snapshot: {
        source: computed.source,
        blocked: computed.blocked,
        recurring_month: computed.recurringMonth,
      },
    },
    { client: trx }
  )
  await InvoiceLine.createMany(
    computed.lines.map((l) => ({ ...l, invoiceId: invoice.id })),
    { client: trx }
  )
  return invoice
}

async function loadDraftRun(runId: number, trx?: TransactionClientContract) {
  const q = BillingRun.query(trx ? { client: trx } : {}).where('id', runId)
  if (trx && isMysql(trx)) q.forUpdate()
  const run = await q.first()
  if (!run) throw new BillingError(`Billing run #${runId} not found`, 'not_found')
  if (run.status !== 'draft')
    throw new BillingError(
      `Billing run #${runId} is ${run.status}; only a draft can change`,
      'state'
    )
  return run
}

/**
 * Finishes building a draft run whose build stopped part-way (the process was killed): builds
 * the invoices of its customers that have none for the period yet. Customers with nothing to
 * bill are simply looked at again. Returns every invoice of the run.
 */
export async function completeRun(runId: number, onProgress?: (d: number, t: number) => void) {
  const run = await loadDraftRun(runId)
  const ids = run.customerIds ?? []
  const billed = new Set(
    (
      await db
        .from('invoices')
        .whereIn('customer_id', ids)
        .where('period', run.period)
        .select('customer_id')
    ).map((r) => Number(r.customer_id))
  )
  const customers = await Customer.query()
    .whereIn(
      'id',
      ids.filter((id) => !billed.has(id))
    )
    .orderBy('account_number')
  const skipped: RunResult['skipped'] = []
  const built = await buildInvoices(run, customers, skipped, false, onProgress)
  const invoices = await Invoice.query().where('billing_run_id', run.id).orderBy('id')
  return { run, invoices, skipped, built: built.length }
}

/** Throws away a draft run's invoices and builds them again from the current usage. */
export async function regenerateRun(
  runId: number,
  userId?: number | null,
  onProgress?: (d: number, t: number) => void
) {
  const run = await loadDraftRun(runId)
  const oldPdfs = await Invoice.query()
    .where('billing_run_id', run.id)
    .whereNotNull('pdf_path')
    .select('pdf_path')
  const previousLines = await captureDraftLines(run.id)
  await db.transaction((trx) => deleteRunInvoices(trx, run.id))
  const ids = run.customerIds ?? []
  const conflicts = await conflictsFor(ids, run.period, run.id)
  const taken = new Set(conflicts.map((c) => Number(c.customer_id)))
  const customers = await Customer.query()
    .whereIn(
      'id',
      ids.filter((id) => !taken.has(id))
    )
    .orderBy('account_number')
  const skipped: RunResult['skipped'] = conflicts.map((c) => ({
    customerId: Number(c.customer_id),
    account: c.account_number,
    reason: `already in run #${c.billing_run_id} (${c.status})`,
  }))
  const invoices = await buildInvoices(run, customers, skipped, false, onProgress)
  await storeRegenerationDiffs(run.id, previousLines)
  await removeFiles(oldPdfs.map((i) => i.pdfPath!))
  await audit({
    userId,
    action: 'billing_run.regenerate',
    subjectType: 'billing_run',
    subjectId: run.id,
    changes: { invoices: invoices.length },
  })
  return { run, invoices, skipped }
}

export async function cancelRun(runId: number, userId?: number | null) {
  const run = await loadDraftRun(runId)
  const oldPdfs = await Invoice.query()
    .where('billing_run_id', run.id)
    .whereNotNull('pdf_path')
    .select('pdf_path')
  await db.transaction(async (trx) => {
    await deleteRunInvoices(trx, run.id)
    await trx
      .from('billing_runs')
      .where('id', run.id)
      .where('status', 'draft')
      .update({ status: 'cancelled', updated_at: sqlTime() })
    await audit(
      { userId, action: 'billing_run.cancel', subjectType: 'billing_run', subjectId: run.id },
      trx
    )
  })
  await removeFiles(oldPdfs.map((i) => i.pdfPath!))
  run.status = 'cancelled'
  return run
}

/** SQLite does not enforce ON DELETE CASCADE unless told to, so lines go first. */
async function deleteRunInvoices(trx: TransactionClientContract, runId: number) {
  const ids = (
    await trx.from('invoices').where('billing_run_id', runId).where('status', 'draft').select('id')
  ).map((r) => r.id)
  if (!ids.length) return
  await trx.from('invoice_lines').whereIn('invoice_id', ids).delete()
  await trx.from('invoices').whereIn('id', ids).delete()
}

async function removeFiles(keys: string[]) {
  if (!keys.length) return
  const { default: drive } = await import('@adonisjs/drive/services/main')
  for (const key of keys)
    await drive
      .use()
      .delete(key)
      .catch(() => {})
}

export interface FinalizeOptions {
  userId?: number | null
  /** Finalize although some records of the run's customers are unrated (they stay unbilled). */
  allowUnrated?: boolean
  /** Issue date; defaults to today in the customer's time zone. */
  issueDate?: DateTime
  /**
   * Refuse invoices with unacknowledged flags (the review page, the CLI and auto-finalize pass true).
   * With allowUnrated the "unrated" flag counts as acknowledged: that checkbox is its acknowledgement.
   */
  holdFlagged?: boolean
}

/**
 * Finalizes a draft run in one transaction: gapless numbers, dates, snapshot,
 * usage_records.invoice_id. Either every invoice of the run is numbered or none.
 */
export async function finalizeRun(runId: number, options: FinalizeOptions = {}) {
  const result = await retryOnDeadlock(() =>
    db.transaction((trx) => finalizeWithin(trx, runId, options))
  )
  // E.g. Direct Debit collection (start/payments.ts); a hook's failure never undoes the finalized run.
  for (const hook of billingHooks.runFinalized) {
    await hook(
      runId,
      result.invoices.map((i) => i.id)
    ).catch((error) => logger.error({ err: error, run_id: runId }, 'after-finalize hook failed'))
  }
  return result
}

async function finalizeWithin(
  trx: TransactionClientContract,
  runId: number,
  options: FinalizeOptions
) {
  const run = await loadDraftRun(runId, trx)
  const invoices = await Invoice.query({ client: trx })
    .where('billing_run_id', run.id)
    .preload('customer')
    .orderBy('id')
  invoices.sort((a, b) => a.customer.accountNumber.localeCompare(b.customer.accountNumber))

  if (options.holdFlagged) await refuseHeld(trx, invoices, Boolean(options.allowUnrated))

  const problems: string[] = []
  for (const invoice of invoices) {
    await refuseStale(trx, invoice, run.period)
    const problem = await unratedProblem(trx, invoice, run.period)
    if (problem) problems.push(problem)
  }
  if (problems.length && !options.allowUnrated) {
    throw new BillingError(
      `Unrated usage would be left off these invoices (${problems.join('; ')}). Fix the rates or finalize acknowledging it.`,
      'unrated'
    )
  }

  await numberInvoices(trx, run.period, invoices, options.issueDate)
  run.useTransaction(trx)
  run.status = 'finalized'
  run.finalizedAt = DateTime.now()
  await run.save()
  await audit(
    {
      userId: options.userId,
      action: 'billing_run.finalize',
      subjectType: 'billing_run',
      subjectId: run.id,
      changes: { numbers: invoices.map((i) => i.number), unrated_left_off: problems },
    },
    trx
  )
  await recordWebhookEvents(
    invoices.map((invoice) => ({ type: 'invoice.finalized', data: invoicePayload(invoice) })),
    trx
  )
  return { run, invoices }
}

/** Refuses a draft whose recurring months or usage changed since it was built. */
async function refuseStale(trx: TransactionClientContract, invoice: Invoice, period: string) {
  // Serialise finalizes of one customer (MySQL), and read the billed months with locking reads
  // (REPEATABLE READ would otherwise show the snapshot from before another run's finalize): the
  // first finalized invoice bills a month, as usage records are guarded by their invoice_id update.
  if (isMysql(trx))
    await trx.from('customers').where('id', invoice.customerId).forUpdate().select('id')
  const recurring = await computeRecurring(trx, invoice.customer, period, true)
  if (recurring.fingerprint !== (invoice.snapshot?.source?.recurring ?? '')) {
    throw new BillingError(
      `Recurring charges for ${invoice.customer.accountNumber} changed since the draft was built (a month was billed by another invoice, or a charge was edited): regenerate the run and review it again`,
      'stale'
    )
  }
  const fresh = await billableRecords(trx, invoice.customerId, period)
    .count('* as n')
    .sum('price_e4 as e4')
    .first()
  const source = invoice.snapshot?.source ?? { records: 0, sumE4: 0 }
  if (int(fresh.n) !== source.records || int(fresh.e4) !== source.sumE4) {
    throw new BillingError(
      `Usage for ${invoice.customer.accountNumber} changed since the draft was built (${source.records} → ${int(fresh.n)} records): regenerate the run and review it again`,
      'stale'
    )
  }
}

/** What finalizing would leave off the invoice as unrated or not yet rated; null when nothing. */
async function unratedProblem(
  trx: TransactionClientContract,
  invoice: Invoice,
  period: string
): Promise<string | null> {
  const blocked = await blockedCounts(trx, invoice.customerId, period)
  if (blocked.unrated + blocked.pending === 0) return null
  const late = blocked.late ? ` (${blocked.late} of earlier periods)` : ''
  return `${invoice.customer.accountNumber}: ${blocked.unrated} unrated, ${blocked.pending} not yet rated${late}`
}

/** Gives the run's invoices their gapless numbers in account order and finalizes each. */
async function numberInvoices(
  trx: TransactionClientContract,
  period: string,
  invoices: Invoice[],
  issueDate: DateTime | undefined
) {
  const settings = await getSettings(trx)
  const numbers = await takeNumbers(trx, 'invoice', invoices.length)
  for (const [i, invoice] of invoices.entries()) {
    await finalizeInvoice(trx, invoice, period, {
      number: formatNumber(settings.invoice_prefix, numbers[i]),
      settings,
      issueDate,
    })
  }
}

/** Claims the draft's usage records for the invoice and stores its number, dates and snapshot. */
async function finalizeInvoice(
  trx: TransactionClientContract,
  invoice: Invoice,
  period: string,
  {
    number,
    settings,
    issueDate: chosenDate,
  }: { number: string; settings: BillingSettings; issueDate: DateTime | undefined }
) {
  const customer = invoice.customer
  const issue = chosenDate ?? DateTime.now().setZone(customer.timeZone || 'Europe/London')
  const issueDate = DateTime.fromISO(issue.toISODate()!, { zone: 'utc' })
  const snapshot = {
    ...(invoice.snapshot ?? {}),
    ...(await describeInvoice(trx, invoice.id, customer, settings)),
  }
  // The same selection the draft was built from: the period's and earlier periods' unbilled records.
  const billed = await billableRecords(trx, invoice.customerId, period).update({
    invoice_id: invoice.id,
  })
  if (Number(Array.isArray(billed) ? billed[0] : billed) !== invoice.snapshot?.source?.records) {
    throw new BillingError(
      `Usage for ${customer.accountNumber} changed while finalizing; try again`,
      'stale'
    )
  }
  invoice.useTransaction(trx)
  invoice.merge({
    number,
    status: 'finalized',
    issueDate,
    // Continuous supply of services: the tax point is the invoice date.
    taxPoint: issueDate,
    dueDate: issueDate.plus({ days: customer.paymentTermsDays }),
    snapshot,
    // The draft preview PDF is replaced by the finalized document.
    pdfPath: null,
    pdfSha256: null,
  })
  await invoice.save()
}

/** Finalize refuses a run while any of its invoices carries an unacknowledged flag. */
async function refuseHeld(
  trx: TransactionClientContract,
  invoices: Invoice[],
  allowUnrated: boolean
) {
  const q = trx
    .from('invoice_flags')
    .whereIn(
      'invoice_id',
      invoices.map((i) => i.id)
    )
    .whereNull('acknowledged_at')
  if (allowUnrated) q.whereNot('kind', 'unrated')
  const open = await q.select('invoice_id', 'kind')
  if (!open.length) return
  const accounts = [
    ...new Set(
      open.map((f: any) => invoices.find((i) => i.id === int(f.invoice_id))!.customer.accountNumber)
    ),
  ]
  throw new BillingError(
    `${open.length} flag${open.length === 1 ? '' : 's'} on ${accounts.join(', ')} ${open.length === 1 ? 'is' : 'are'} not acknowledged: review the flagged invoice${accounts.length === 1 ? '' : 's'} and acknowledge with a reason, then finalize`,
    'flagged'
  )
}

/** What the review page and the CLI show about a run. */
export async function runReview(runId: number) {
  const run = await BillingRun.find(runId)
  if (!run) throw new BillingError(`Billing run #${runId} not found`, 'not_found')
  const invoices = await Invoice.query()
    .where('billing_run_id', run.id)
    .preload('customer')
    .preload('delivery')
    .orderBy('id')
  const warnings: {
    customerId: number
    account: string
    unrated: number
    pending: number
    late: number
  }[] = []
  if (run.status === 'draft') {
    for (const customerId of run.customerIds ?? []) {
      const blocked = await blockedCounts(db.connection(), customerId, run.period)
      if (blocked.unrated + blocked.pending > 0) {
        const customer =
          invoices.find((i) => i.customerId === customerId)?.customer ??
          (await Customer.find(customerId))
        warnings.push({
          customerId,
          account: customer?.accountNumber ?? String(customerId),
          ...blocked,
        })
      }
    }
  }
  // Late usage (records of earlier periods) each invoice bills, from the fingerprint taken when it was built.
  const lateUsage = invoices
    .map((i) => ({
      invoiceId: i.id,
      customerId: i.customerId,
      account: i.customer.accountNumber,
      records: int(i.snapshot?.source?.lateRecords ?? 0),
    }))
    .filter((l) => l.records > 0)
  const flags = await flagsByInvoice(invoices.map((i) => i.id))
  const held = await heldInvoiceIds(
    db.connection(),
    invoices.map((i) => i.id)
  )
  // Flagged invoices first, held ones before acknowledged ones, then by account.
  const rank = (i: Invoice) => (held.has(i.id) ? 0 : flags.get(i.id)?.length ? 1 : 2)
  invoices.sort(
    (a, b) => rank(a) - rank(b) || a.customer.accountNumber.localeCompare(b.customer.accountNumber)
  )
  return { run, invoices, warnings, lateUsage, flags, held }
}
