import type Customer from '#models/customer'
import { audit } from '#lib/audit'
import { importUploadInBackground } from '#connectors/manual_import'
import { awaitImport } from '#api/usage_resources'

/** How long an upload waits for its import before answering 202 with the import still running. */
const WAIT_MS = 5 * 60_000

/**
 * A usage file uploaded through the API: the same manual import the upload page runs (same
 * parser, dedupe, routing, audit entry), then the summary once it has finished; a client
 * that asks `wait=false` (or whose file takes longer) gets the running import to poll.
 */
export async function uploadUsageFile(opts: {
  path: string
  fileName: string
  bytes: number
  customer: Customer | null
  format: string
  userId: number
  wait: boolean
}) {
  const { customer, format } = opts
  const importId = await importUploadInBackground({
    path: opts.path,
    sourceName: opts.fileName,
    customer,
    format,
  })
  await audit({
    userId: opts.userId,
    action: 'import.uploaded',
    subjectType: 'import',
    subjectId: importId,
    changes: {
      customerId: customer?.id ?? null,
      scope: customer ? 'customer' : 'all',
      format,
      file: opts.fileName,
      bytes: opts.bytes,
      via: 'api',
    },
  })
  return awaitImport(importId, opts.wait ? WAIT_MS : 0)
}
