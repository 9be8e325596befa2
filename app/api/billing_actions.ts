import logger from '@adonisjs/core/services/logger'
import { finalizeRun } from '#billing/runs'
import { acknowledgeRunFlags } from '#billing/flags'
import { storeInvoicePdfs } from '#documents/invoice_pdf'

/**
 * Finalizes a draft run as the review page does (flagged invoices are held unless acknowledged,
 * PDFs made after the commit in the background); `acknowledge` is the CLI's --acknowledge.
 */
export async function finalizeRunFromApi(
  runId: number,
  options: { allowUnrated?: boolean; acknowledge?: string; userId: number }
) {
  if (options.acknowledge) await acknowledgeRunFlags(runId, options.acknowledge, options.userId)
  const result = await finalizeRun(runId, {
    userId: options.userId,
    allowUnrated: Boolean(options.allowUnrated),
    holdFlagged: true,
  })
  setImmediate(() => {
    storeInvoicePdfs(result.invoices.map((i) => i.id)).catch((error) =>
      logger.error({ err: error }, 'invoice PDFs failed')
    )
  })
  return result
}
