import type { HttpContext } from '@adonisjs/core/http'
import { allocateLine, ignoreLine, importStatementFile, saveProfile } from '#payments/bank_import'
import {
  lineToAllocateProps,
  statementImportProps,
  statementsPageProps,
  unmatchedQueueProps,
} from '#payments/bank_views'
import { PaymentError, flashPaymentError } from '#payments/errors'
import { StatementCsvError } from '#payments/statement_csv'
import {
  allocateLineValidator,
  statementImportValidator,
  statementProfileValidator,
} from '#validators/payments'

export default class BankStatementsController {
  async index({ inertia }: HttpContext) {
    return inertia.render('payments/statements', await statementsPageProps())
  }

  async store({ request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(statementImportValidator)
    try {
      const s = await importStatementFile({
        path: input.file.tmpPath!,
        filename: input.file.clientName,
        profileId: input.profileId,
        userId: auth.user!.id,
      })
      session.flash(
        'success',
        `${s.lines} lines read: ${s.matched} matched to invoices, ${s.unmatched} to allocate by hand, ${s.duplicates} already imported, ${s.ignored} outgoing`
      )
      return response.redirect(`/bank-statements/${s.importId}`)
    } catch (error) {
      if (error instanceof StatementCsvError) {
        session.flash('error', `Nothing was imported. ${error.message}`)
        session.flashErrors({
          file: error.problems
            .slice(0, 10)
            .map((p) => `line ${p.line}, ${p.field}: ${p.message}`)
            .join('\n'),
        })
      } else if (error instanceof PaymentError) flashPaymentError(session, error)
      else throw error
      return response.redirect('/bank-statements')
    }
  }

  async show({ inertia, params, response }: HttpContext) {
    const detail = await statementImportProps(Number(params.id))
    return detail
      ? inertia.render('payments/statement_import', detail)
      : response.notFound('Not found')
  }

  async unmatched({ inertia }: HttpContext) {
    return inertia.render('payments/unmatched', await unmatchedQueueProps())
  }

  async line({ inertia, params, request, response }: HttpContext) {
    const view = await lineToAllocateProps(
      Number(params.id),
      Number(request.input('customer')) || undefined
    )
    return view ? inertia.render('payments/line', view) : response.notFound('Not found')
  }

  async allocateLine({ params, request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(allocateLineValidator)
    try {
      const allocations = (input.allocations ?? [])
        .filter((a) => a.amount)
        .map((a) => ({ invoiceId: a.invoiceId, amountMinor: a.amount! }))
      const payment = await allocateLine(Number(params.id), {
        customerId: input.customerId,
        allocations,
        userId: auth.user!.id,
      })
      session.flash('success', 'Payment recorded from the statement line')
      return response.redirect(`/payments/${payment.id}`)
    } catch (error) {
      if (!(error instanceof PaymentError)) throw error
      flashPaymentError(session, error)
      return response.redirect(`/bank-statements/lines/${params.id}?customer=${input.customerId}`)
    }
  }

  async ignoreLine({ params, response, session, auth }: HttpContext) {
    try {
      await ignoreLine(Number(params.id), auth.user!.id)
      session.flash('success', 'Line ignored')
    } catch (error) {
      if (!(error instanceof PaymentError)) throw error
      flashPaymentError(session, error)
    }
    return response.redirect('/bank-statements/unmatched')
  }

  async storeProfile({ request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(statementProfileValidator)
    const id = Number(request.input('id')) || undefined
    await saveProfile(input, auth.user!.id, id)
    session.flash('success', `Profile "${input.name}" saved`)
    return response.redirect('/bank-statements')
  }
}
