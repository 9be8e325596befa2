import db from '@adonisjs/lucid/services/db'
import UsageRecord from '#models/usage_record'
import { pageOf } from '#api/pagination'
import { e4, instant, sqlInstant } from '#api/serialize'

/** The JSON shapes of /api/v1 for usage records (read only) and usage imports. */

export function usageRecordJson(r: UsageRecord, currency: string) {
  return {
    id: r.id,
    customerId: r.customerId,
    importId: r.importId,
    serviceId: r.serviceId,
    employeeId: r.employeeId,
    departmentId: r.departmentId,
    identifier: r.identifier,
    occurredAt: instant(r.occurredAt),
    period: r.period,
    category: r.category,
    destination: r.destination,
    destinationName: r.destinationName,
    durationS: Number(r.durationS),
    volumeBytes: Number(r.volumeBytes),
    quantity: Number(r.quantity),
    cost: r.costE4 === null ? null : e4(r.costE4, currency),
    price: r.priceE4 === null ? null : e4(r.priceE4, currency),
    ratingStatus: r.ratingStatus,
    unratedReason: r.unratedReason,
    invoiceId: r.invoiceId,
  }
}

export async function usageRecordPage(filter: {
  customerId?: number
  employeeId?: number
  period?: string
  page: number
  perPage: number
}) {
  const page = await UsageRecord.query()
    .preload('customer', (q) => q.select('id', 'currency'))
    .if(filter.customerId, (q) => q.where('customer_id', filter.customerId!))
    .if(filter.employeeId, (q) => q.where('employee_id', filter.employeeId!))
    .if(filter.period, (q) => q.where('period', filter.period!))
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .paginate(filter.page, filter.perPage)
  return pageOf(page, (r: UsageRecord) => usageRecordJson(r, r.customer.currency))
}

export async function usageRecord(id: number) {
  const record = await UsageRecord.query().where('id', id).preload('customer').firstOrFail()
  return usageRecordJson(record, record.customer.currency)
}

export const FINISHED_IMPORT = ['completed', 'failed', 'skipped', 'error']

/** An import's summary: how many rows were read, stored, duplicates, rejected (with the first errors). */
export async function importSummary(importId: number) {
  const row = await db.from('imports').where('id', importId).first()
  if (!row) return null
  const errors = await db
    .from('import_errors')
    .where('import_id', importId)
    .orderBy('id')
    .limit(20)
    .select('line', 'field', 'message')
  return {
    id: Number(row.id),
    customerId: row.customer_id === null ? null : Number(row.customer_id),
    sourceName: row.source_name as string,
    format: row.format as string,
    status: row.status as string,
    rowsRead: Number(row.rows_read),
    rowsImported: Number(row.rows_imported),
    rowsDuplicate: Number(row.rows_duplicate),
    rowsRejected: Number(row.rows_rejected),
    rowsInternal: Number(row.rows_internal ?? 0),
    rowsCharges: Number(row.rows_charges ?? 0),
    errorMessage: (row.error_message as string | null) ?? null,
    errors: errors.map((e) => ({
      line: Number(e.line),
      field: (e.field as string | null) ?? null,
      message: String(e.message),
    })),
    startedAt: sqlInstant(row.started_at),
    finishedAt: sqlInstant(row.finished_at),
  }
}

/** Waits (up to `timeoutMs`) for an import to end; the upload answers with the finished summary. */
export async function awaitImport(importId: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const summary = await importSummary(importId)
    if (!summary || FINISHED_IMPORT.includes(summary.status) || Date.now() > deadline)
      return summary
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
