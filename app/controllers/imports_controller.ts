import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import Customer from '#models/customer'
import { permissionsOf } from '#abilities/permissions'
import { audit } from '#lib/audit'
import { csvLine } from '#lib/csv'
import { receiveUploads } from '#lib/uploads'
import { MANUAL_IMPORT_MAX_BYTES, manualImportValidator } from '#validators/import'
import { manualImportFormats } from '#connectors/registry'
import { importUploadInBackground, manualUploadDir } from '#connectors/manual_import'
import { ImportFailure } from '#connectors/types'
import { importsQueryValidator, pageQueryValidator } from '#validators/list_query'
import { duplicateCallReport } from '#connectors/dedupe_rekey'
import { importRouting } from '#connectors/record_router'
import { e4ToMinor, formatMoney } from '#lib/money'

const LIST_COLUMNS = [
  'i.id', 'i.connector_id', 'i.customer_id', 'i.source_name', 'i.format', 'i.sha256', 'i.status', 'i.rows_read', 'i.rows_imported',
  'i.rows_duplicate', 'i.rows_rejected', 'i.rows_internal', 'i.rows_charges', 'i.progress_pct', 'i.error_message', 'i.started_at', 'i.finished_at', 'i.created_at', 'i.same_as_import_id',
]

export default class ImportsController {
  async index({ inertia, request, auth }: HttpContext) {
    const { page = 1, status = '', connector } = await request.validateUsing(importsQueryValidator)
    const connectorId = connector || null
    const query = db
      .from('imports as i')
      .leftJoin('connectors as c', 'c.id', 'i.connector_id')
      .leftJoin('customers as cu', 'cu.id', 'i.customer_id')
      .if(status, (q) => q.where('i.status', status))
      .if(connectorId, (q) => q.where('i.connector_id', connectorId!))
      .select(...LIST_COLUMNS, 'c.name as connector_name', 'cu.name as customer_name')
      .orderBy('i.id', 'desc')
    const result = await query.paginate(page, 50)
    return inertia.render('imports/index', {
      imports: () => result.all(),
      meta: result.getMeta(),
      filters: { status, connector: connectorId },
      // Calls found stored twice when dedupe became per reseller (credit notes may be due).
      duplicates: async () => {
        const report = await duplicateCallReport(db.connection())
        return {
          billedTwice: report.billedTwice,
          removed: report.removed,
          rows: report.rows.map(({ priceE4, currency, ...r }) => ({ ...r, price: priceE4 === null ? null : formatMoney(e4ToMinor(priceE4), currency) })),
        }
      },
      // The "Upload a file" form, for those who may import.
      upload: async () =>
        permissionsOf(auth.user!.role).edit
          ? {
              customers: (await Customer.query().orderBy('name').select('id', 'name', 'account_number')).map((c) => ({ id: c.id, name: c.name, accountNumber: c.accountNumber })),
              formats: await manualImportFormats(),
              maxMb: MANUAL_IMPORT_MAX_BYTES / 1024 / 1024,
            }
          : null,
    })
  }

  /**
   * Imports → Upload a file. The route's multipart body is read here, after auth and role
   * (config/bodyparser.ts `processManually`); the import runs in the background and its page
   * follows the progress.
   */
  async upload({ request, response, session, auth }: HttpContext) {
    const uploads = await receiveUploads(request, { dir: manualUploadDir(), limit: MANUAL_IMPORT_MAX_BYTES, field: 'file' })
    let importId: number | null = null
    try {
      const input = await request.validateUsing(manualImportValidator)
      const customer = input.scope === 'all' || !input.customerId ? null : await Customer.findOrFail(input.customerId)
      // From here the background import owns the file (and removes it).
      importId = await importUploadInBackground({ path: input.file.tmpPath!, sourceName: input.file.clientName, customer, format: input.format })
      await audit({
        userId: auth.user!.id,
        action: 'import.uploaded',
        subjectType: 'import',
        subjectId: importId,
        changes: { customerId: customer?.id ?? null, scope: customer ? 'customer' : 'all', format: input.format, file: input.file.clientName, bytes: input.file.size },
      })
      session.flash('success', `Importing ${input.file.clientName}`)
      return response.redirect(`/imports/${importId}`)
    } catch (error) {
      if (importId === null) await uploads.discard()
      if (!(error instanceof ImportFailure)) throw error
      // The format exists but cannot be used (e.g. an incomplete mapping profile).
      session.flashErrors({ format: error.message })
      session.flashAll()
      return response.redirect().back()
    }
  }

  async show({ inertia, params, request }: HttpContext) {
    const imp = await db
      .from('imports as i')
      .leftJoin('connectors as c', 'c.id', 'i.connector_id')
      .leftJoin('customers as cu', 'cu.id', 'i.customer_id')
      .where('i.id', params.id)
      .select(...LIST_COLUMNS, 'i.raw_path', 'i.stage', 'c.name as connector_name', 'cu.name as customer_name')
      .first()
    if (!imp) return inertia.render('errors/not_found', {})
    const { page = 1 } = await request.validateUsing(pageQueryValidator)
    const errors = await db.from('import_errors').where('import_id', imp.id).orderBy('line').orderBy('id').select('id', 'line', 'field', 'message').paginate(page, 100)
    const { raw_path: rawPath, ...rest } = imp
    return inertia.render('imports/show', {
      import: () => ({ ...rest, hasRaw: Boolean(rawPath) }),
      errors: () => errors.all(),
      errorsMeta: errors.getMeta(),
      routing: () => importRouting(imp.id),
    })
  }

  /** The rejected rows as CSV: line, field, message and the row as it was in the file. */
  async rejected({ params, response }: HttpContext) {
    const imp = await db.from('imports').where('id', params.id).first()
    if (!imp) return response.notFound('Not found')
    const rows = await db.from('import_errors').where('import_id', imp.id).orderBy('line').orderBy('id').select('line', 'field', 'message', 'raw')
    const body = ['line,field,message,row', ...rows.map((r) => csvLine([r.line, r.field, r.message, r.raw]))].join('\r\n') + '\r\n'
    response.header('content-type', 'text/csv; charset=utf-8')
    response.header('content-disposition', `attachment; filename="import-${imp.id}-rejected.csv"`)
    return response.send(body)
  }

  /** The raw file as it was received. */
  async raw({ params, response }: HttpContext) {
    const imp = await db.from('imports').where('id', params.id).first()
    if (!imp?.raw_path || !(await drive.use().exists(imp.raw_path))) return response.notFound('Not found')
    const safe = String(imp.source_name).replace(/[^\w.-]/g, '_')
    response.header('content-disposition', `attachment; filename="${safe}"`)
    response.header('content-type', imp.format === 'm365' ? 'application/json' : 'text/csv; charset=utf-8')
    return response.stream(await drive.use().getStream(imp.raw_path))
  }
}
