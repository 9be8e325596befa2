import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import { receiveUploads } from '#lib/uploads'
import { MANUAL_IMPORT_MAX_BYTES, manualImportValidator } from '#validators/import'
import { apiUsageQueryValidator } from '#validators/api'
import { manualUploadDir } from '#connectors/manual_import'
import { ImportFailure } from '#connectors/types'
import { FINISHED_IMPORT, importSummary, usageRecord, usageRecordPage } from '#api/usage_resources'
import { uploadUsageFile } from '#api/usage_import'
import { actorOf, paging, unprocessable } from '#controllers/api/helpers'

/** Usage: upload a file (the import summary comes back), read imports and rated records. */
export default class ApiUsageController {
  async upload({ request, response, auth }: HttpContext) {
    const uploads = await receiveUploads(request, {
      dir: manualUploadDir(),
      limit: MANUAL_IMPORT_MAX_BYTES,
      field: 'file',
    })
    let handedOver = false
    try {
      const input = await request.validateUsing(manualImportValidator)
      const customer =
        input.scope === 'all' || !input.customerId
          ? null
          : await Customer.findOrFail(input.customerId)
      handedOver = true
      const summary = await uploadUsageFile({
        path: input.file.tmpPath!,
        fileName: input.file.clientName,
        bytes: input.file.size,
        customer,
        format: input.format,
        userId: actorOf(auth).userId,
        wait: request.input('wait') !== 'false',
      })
      return response
        .status(summary && FINISHED_IMPORT.includes(summary.status) ? 201 : 202)
        .send({ data: summary })
    } catch (error) {
      // An ImportFailure comes from building the parser, before the import took the file.
      if (!handedOver || error instanceof ImportFailure) await uploads.discard()
      if (!(error instanceof ImportFailure)) throw error
      return unprocessable(response, 'format', error.message)
    }
  }

  async showImport({ params, response }: HttpContext) {
    const summary = await importSummary(Number(params.id))
    if (!summary) return response.notFound({ errors: [{ message: 'No such import' }] })
    return { data: summary }
  }

  async records({ request }: HttpContext) {
    const input = await request.validateUsing(apiUsageQueryValidator, { data: request.qs() })
    return usageRecordPage({
      customerId: input.customerId,
      employeeId: input.employeeId,
      period: input.period,
      ...paging(input),
    })
  }

  async record({ params }: HttpContext) {
    return { data: await usageRecord(Number(params.id)) }
  }
}
