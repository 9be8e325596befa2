import type { HttpContext } from '@adonisjs/core/http'
import { sendDownload } from '#lib/downloads'
import { readFile } from 'node:fs/promises'
import { DateTime } from 'luxon'
import { reconcile, reconciliationCsv } from '#reconciliation/reconcile'
import { reconciliationShowProps } from '#reconciliation/reconciliation_views'
import {
  enterSupplierTotal,
  importSupplierBillCsv,
  SupplierBillError,
} from '#reconciliation/supplier_bills'
import {
  reconciliationQueryValidator,
  supplierTotalValidator,
  supplierBillCsvValidator,
} from '#validators/reconciliation'

export default class ReconciliationController {
  /** /reconciliation?period=YYYY-MM (default: last month); ?format=csv[&section=…] exports. */
  async show({ request, inertia, response }: HttpContext) {
    const input = await request.validateUsing(reconciliationQueryValidator, { data: request.qs() })
    const period =
      input.period ??
      DateTime.now().setZone('Europe/London').minus({ months: 1 }).toFormat('yyyy-MM')
    const result = await reconcile(period)
    if (input.format === 'csv') {
      const filename = `reconciliation-${period}${input.section ? '-' + input.section : ''}.csv`
      return sendDownload(response, {
        filename,
        contentType: 'text/csv; charset=utf-8',
        body: reconciliationCsv(result, input.section),
      })
    }
    return inertia.render('reconciliation/show', reconciliationShowProps(result))
  }

  async supplierTotal({ params, request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(supplierTotalValidator)
    return this.save(session, response, input.period, () =>
      enterSupplierTotal(Number(params.connectorId), input.period, input.total, auth.user!.id)
    )
  }

  async supplierBillCsv({ params, request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(supplierBillCsvValidator)
    const text = await readFile(input.file.tmpPath!, 'utf8')
    return this.save(session, response, input.period, () =>
      importSupplierBillCsv(
        Number(params.connectorId),
        input.period,
        text,
        input.file.clientName,
        auth.user!.id,
        input.column
      )
    )
  }

  private async save(
    session: HttpContext['session'],
    response: HttpContext['response'],
    period: string,
    work: () => Promise<{ totalMinor: number; lines: number }>
  ) {
    try {
      const saved = await work()
      session.flash(
        'success',
        `Supplier total saved${saved.lines ? ` (${saved.lines} lines)` : ''}`
      )
    } catch (error) {
      if (!(error instanceof SupplierBillError)) throw error
      session.flash('error', error.message)
    }
    return response.redirect(`/reconciliation?period=${period}`)
  }
}
