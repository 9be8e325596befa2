import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import Customer from '#models/customer'
import { csvLine } from '#lib/csv'
import { pageMeta, type PageMeta } from '#lib/db_helpers'
import { e4ToMinor, formatMoney } from '#lib/money'
import { duplicateCallReport } from '#connectors/dedupe_rekey'
import { manualImportFormats } from '#connectors/registry'
import { importRouting } from '#connectors/record_router'

/** Read models of the imports pages (imports/index, imports/show) and the two downloads of an import. */

const LIST_COLUMNS = [
  'i.id',
  'i.connector_id',
  'i.customer_id',
  'i.source_name',
  'i.format',
  'i.sha256',
  'i.status',
  'i.rows_read',
  'i.rows_imported',
  'i.rows_duplicate',
  'i.rows_rejected',
  'i.rows_internal',
  'i.rows_charges',
  'i.progress_pct',
  'i.error_message',
  'i.started_at',
  'i.finished_at',
  'i.created_at',
  'i.same_as_import_id',
]

/** One import as the lists show it (snake_case columns, as the pages always received them). */
export interface ImportRow {
  id: number
  connector_id: number | null
  customer_id: number | null
  connector_name: string | null
  customer_name: string | null
  source_name: string
  format: string
  sha256: string
  status: string
  rows_read: number
  rows_imported: number
  rows_duplicate: number
  rows_rejected: number
  rows_internal: number
  rows_charges: number
  progress_pct: number
  error_message: string | null
  started_at: string | null
  finished_at: string | null
  created_at: string
  same_as_import_id: number | null
}

export interface ImportListPage {
  imports: ImportRow[]
  meta: PageMeta
}

export async function importListPage(filters: {
  page: number
  status: string
  connectorId: number | null
}): Promise<ImportListPage> {
  const result = await db
    .from('imports as i')
    .leftJoin('connectors as c', 'c.id', 'i.connector_id')
    .leftJoin('customers as cu', 'cu.id', 'i.customer_id')
    .if(filters.status, (q) => q.where('i.status', filters.status))
    .if(filters.connectorId, (q) => q.where('i.connector_id', filters.connectorId!))
    .select(...LIST_COLUMNS, 'c.name as connector_name', 'cu.name as customer_name')
    .orderBy('i.id', 'desc')
    .paginate(filters.page, 50)
  return { imports: result.all() as ImportRow[], meta: pageMeta(result) }
}

/** Calls found stored twice when dedupe became per reseller (credit notes may be due). */
export async function duplicateCallsView() {
  const report = await duplicateCallReport(db.connection())
  return {
    billedTwice: report.billedTwice,
    removed: report.removed,
    rows: report.rows.map(({ priceE4, currency, ...r }) => ({
      ...r,
      price: priceE4 === null ? null : formatMoney(e4ToMinor(priceE4), currency),
    })),
  }
}

/** The "Upload a file" form's choices. */
export async function uploadFormOptions(maxBytes: number) {
  const customers = await Customer.query().orderBy('name').select('id', 'name', 'account_number')
  return {
    customers: customers.map((c) => ({ id: c.id, name: c.name, accountNumber: c.accountNumber })),
    formats: await manualImportFormats(),
    maxMb: maxBytes / 1024 / 1024,
  }
}

export type DuplicateCallsView = Awaited<ReturnType<typeof duplicateCallsView>>
export type UploadFormOptions = Awaited<ReturnType<typeof uploadFormOptions>>

type Lazy<T> = () => Promise<T>

/** The imports list (imports/index): one page of imports, the upload form, the duplicate calls report. */
export type ImportsIndexProps = {
  imports: ImportRow[]
  meta: PageMeta
  filters: { status: string; connector: number | null }
  /** The upload form's choices; null for those who may not import. */
  upload: UploadFormOptions | null
  /** Calls found stored twice when dedupe became per reseller (credit notes may be due). */
  duplicates: DuplicateCallsView
}

/**
 * The list's props as served: the upload form's choices and the duplicates report are functions,
 * so the page's progress polling (a reload of `imports` alone) computes neither.
 */
export type ImportsIndexServed = Omit<ImportsIndexProps, 'upload' | 'duplicates'> & {
  upload: Lazy<UploadFormOptions | null>
  duplicates: Lazy<DuplicateCallsView>
}

/** `upload`: the largest file the upload form takes, or null when the user may not import. */
export async function importsIndexProps(
  filters: { page: number; status: string; connectorId: number | null },
  upload: { maxBytes: number } | null
): Promise<ImportsIndexServed> {
  const list = await importListPage(filters)
  return {
    imports: list.imports,
    meta: list.meta,
    filters: { status: filters.status, connector: filters.connectorId },
    duplicates: () => duplicateCallsView(),
    upload: async () => (upload ? uploadFormOptions(upload.maxBytes) : null),
  }
}

export interface ImportDetail extends ImportRow {
  stage: string | null
  /** Whether the file as received is kept (downloadable). */
  hasRaw: boolean
}

export interface ImportErrorRow {
  id: number
  line: number
  field: string | null
  message: string
}

/** Where an import's records went: per customer, and how many wait in the unknown services queue. */
export type ImportRouting = Awaited<ReturnType<typeof importRouting>>

/** One import (imports/show) with a page of its line errors. */
export type ImportShowProps = {
  import: ImportDetail
  errors: ImportErrorRow[]
  errorsMeta: PageMeta
  /** Where the records went. */
  routing: ImportRouting
}

/**
 * As served: the routing is a function, so the page's progress polling (a reload of the import
 * and its errors) does not count it again.
 */
export type ImportShowServed = Omit<ImportShowProps, 'routing'> & { routing: Lazy<ImportRouting> }

/** Null when there is no such import. */
export async function importShowProps(id: number, page: number): Promise<ImportShowServed | null> {
  const detail = await importDetail(id, page)
  if (!detail) return null
  return { ...detail, routing: () => importRouting(detail.import.id) }
}

/** An import with one page of its line errors; null when there is no such import. */
export async function importDetail(
  id: number,
  page: number
): Promise<{ import: ImportDetail; errors: ImportErrorRow[]; errorsMeta: PageMeta } | null> {
  const imp = await db
    .from('imports as i')
    .leftJoin('connectors as c', 'c.id', 'i.connector_id')
    .leftJoin('customers as cu', 'cu.id', 'i.customer_id')
    .where('i.id', id)
    .select(
      ...LIST_COLUMNS,
      'i.raw_path',
      'i.stage',
      'c.name as connector_name',
      'cu.name as customer_name'
    )
    .first()
  if (!imp) return null
  const errors = await db
    .from('import_errors')
    .where('import_id', imp.id)
    .orderBy('line')
    .orderBy('id')
    .select('id', 'line', 'field', 'message')
    .paginate(page, 100)
  const { raw_path: rawPath, ...rest } = imp
  return {
    import: { ...rest, hasRaw: Boolean(rawPath) },
    errors: errors.all() as ImportErrorRow[],
    errorsMeta: pageMeta(errors),
  }
}

/** The rejected rows as CSV (line, field, message and the row as it was in the file); null when there is no such import. */
export async function rejectedRowsCsv(id: number): Promise<string | null> {
  const imp = await db.from('imports').where('id', id).first()
  if (!imp) return null
  const rows = await db
    .from('import_errors')
    .where('import_id', imp.id)
    .orderBy('line')
    .orderBy('id')
    .select('line', 'field', 'message', 'raw')
  return (
    [
      'line,field,message,row',
      ...rows.map((r) => csvLine([r.line, r.field, r.message, r.raw])),
    ].join('\r\n') + '\r\n'
  )
}

/** The file as received, when it is kept: its name, type and a stream of it. */
export async function rawImportFile(id: number) {
  const imp = await db.from('imports').where('id', id).first()
  if (!imp?.raw_path || !(await drive.use().exists(imp.raw_path))) return null
  return {
    sourceName: String(imp.source_name),
    contentType: imp.format === 'm365' ? 'application/json' : 'text/csv; charset=utf-8',
    stream: await drive.use().getStream(imp.raw_path),
  }
}
