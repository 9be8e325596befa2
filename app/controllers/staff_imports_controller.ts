import type { HttpContext } from '@adonisjs/core/http'
import { readFile } from 'node:fs/promises'
import Customer from '#models/customer'
import { staffImportApplyValidator, staffImportPreviewValidator } from '#validators/employee'
import { applyStaffImport } from '#consolidation/staff_import'
import { staffImportPageProps, staffImportPreviewProps } from '#consolidation/staff_import_views'
import { audit } from '#lib/audit'

/** Staff list CSV: upload → preview of every change → apply. */
export default class StaffImportsController {
  async show({ inertia, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    return inertia.render('employees/import', staffImportPageProps(customer))
  }

  async preview({ inertia, params, request }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(staffImportPreviewValidator)
    let csv = input.csv ?? ''
    if (input.file?.tmpPath) csv = await readFile(input.file.tmpPath, 'utf8')
    return inertia.render('employees/import', await staffImportPreviewProps(customer, csv))
  }

  async apply({ request, response, params, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(staffImportApplyValidator)
    try {
      const result = await applyStaffImport(customer, input.csv, {
        userId: auth.user!.id,
        servicesFrom: input.servicesFrom ?? null,
      })
      await audit({
        userId: auth.user!.id,
        action: 'staff_import.apply',
        subjectType: 'customer',
        subjectId: customer.id,
        changes: {
          create: result.create,
          update: result.update,
          unchanged: result.unchanged,
          error: result.error,
          services: result.services,
        },
      })
      session.flash(
        'success',
        `Staff list applied: ${result.create} created, ${result.update} updated, ${result.unchanged} unchanged, ${result.error} skipped with errors`
      )
      return response.redirect(`/customers/${customer.id}/employees`)
    } catch (e) {
      session.flash('error', e instanceof Error ? e.message : String(e))
      return response.redirect(`/customers/${customer.id}/staff-import`)
    }
  }
}
