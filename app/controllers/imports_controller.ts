import type { HttpContext } from '@adonisjs/core/http'
import type { PageObject } from '@adonisjs/inertia/types'
import { permissionsOf } from '#abilities/permissions'
import { sendDownload } from '#lib/downloads'
import { receiveUploads } from '#lib/uploads'
import { MANUAL_IMPORT_MAX_BYTES, manualImportValidator } from '#validators/import'
import { manualUploadDir } from '#connectors/manual_import'
import { startManualImport } from '#connectors/manual_upload'
import { ImportFailure } from '#connectors/types'
import { importsQueryValidator, pageQueryValidator } from '#validators/list_query'
import {
  importShowProps,
  importsIndexProps,
  rawImportFile,
  rejectedRowsCsv,
  type ImportShowServed,
} from '#connectors/import_views'

export default class ImportsController {
  async index({ inertia, request, auth }: HttpContext) {
    const { page = 1, status = '', connector } = await request.validateUsing(importsQueryValidator)
    // The "Upload a file" form, for those who may import.
    const upload = permissionsOf(auth.user!.role).edit
      ? { maxBytes: MANUAL_IMPORT_MAX_BYTES }
      : null
    return inertia.render(
      'imports/index',
      await importsIndexProps({ page, status, connectorId: connector || null }, upload)
    )
  }

  /**
   * Imports → Upload a file. The route's multipart body is read here, after auth and role
   * (config/bodyparser.ts `processManually`); the import runs in the background and its page
   * follows the progress.
   */
  async upload({ request, response, session, auth }: HttpContext) {
    const uploads = await receiveUploads(request, {
      dir: manualUploadDir(),
      limit: MANUAL_IMPORT_MAX_BYTES,
      field: 'file',
    })
    let importId: number | null = null
    try {
      const input = await request.validateUsing(manualImportValidator)
      // From here the background import owns the file (and removes it).
      importId = await startManualImport(input, auth.user!.id)
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

  /**
   * The return type is declared: inferred, the not-found page's `PageObject<{}>` would absorb the
   * import page's (subtype reduction), leaving inertia/page_props_check.ts no props to check.
   */
  async show({
    inertia,
    params,
    request,
  }: HttpContext): Promise<string | PageObject<{}> | PageObject<ImportShowServed>> {
    const { page = 1 } = await request.validateUsing(pageQueryValidator)
    const props = await importShowProps(Number(params.id), page)
    if (!props) return inertia.render('errors/not_found', {})
    return inertia.render('imports/show', props)
  }

  /** The rejected rows as CSV: line, field, message and the row as it was in the file. */
  async rejected({ params, response }: HttpContext) {
    const body = await rejectedRowsCsv(Number(params.id))
    if (body === null) return response.notFound('Not found')
    return sendDownload(response, {
      filename: `import-${params.id}-rejected.csv`,
      contentType: 'text/csv; charset=utf-8',
      body,
    })
  }

  /** The raw file as it was received. */
  async raw({ params, response }: HttpContext) {
    const file = await rawImportFile(Number(params.id))
    if (!file) return response.notFound('Not found')
    return sendDownload(response, {
      filename: file.sourceName,
      contentType: file.contentType,
      body: file.stream,
    })
  }
}
