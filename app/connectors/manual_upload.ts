import Customer from '#models/customer'
import { audit } from '#lib/audit'
import { importUploadInBackground } from '#connectors/manual_import'

/**
 * Imports → Upload a file: starts the background import of an uploaded file (which from
 * then on owns and removes the file) and audits who uploaded what. Throws ImportFailure
 * when the format cannot be used.
 */
export async function startManualImport(
  input: {
    scope?: string
    customerId?: number | null
    format: string
    file: { tmpPath?: string; clientName: string; size: number }
  },
  userId: number | null
): Promise<number> {
  const customer =
    input.scope === 'all' || !input.customerId ? null : await Customer.findOrFail(input.customerId)
  const importId = await importUploadInBackground({
    path: input.file.tmpPath!,
    sourceName: input.file.clientName,
    customer,
    format: input.format,
  })
  await audit({
    userId,
    action: 'import.uploaded',
    subjectType: 'import',
    subjectId: importId,
    changes: {
      customerId: customer?.id ?? null,
      scope: customer ? 'customer' : 'all',
      format: input.format,
      file: input.file.clientName,
      bytes: input.file.size,
    },
  })
  return importId
}
