import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import Service from '#models/service'
import { serviceLabelValidator, serviceValidator } from '#validators/service'
import { KIND_LABELS } from '#consolidation/services'
import { createService, deleteService, updateServiceLabel } from '#consolidation/service_admin'
import { serviceIndexProps, serviceShowProps } from '#consolidation/service_views'
import { ConsolidationError } from '#consolidation/admin_errors'

export default class ServicesController {
  async index({ inertia, params, request }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const search = String(request.input('q', '')).trim()
    const kind = String(request.input('kind', ''))
    return inertia.render('services/index', await serviceIndexProps(customer, { search, kind }))
  }

  async store({ request, response, params, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(serviceValidator)
    try {
      const service = await createService(customer, input, { userId: auth.user!.id })
      session.flash('success', `${KIND_LABELS[service.kind]} ${service.identifier} added`)
      return response.redirect(`/services/${service.id}`)
    } catch (error) {
      if (!(error instanceof ConsolidationError)) throw error
      session.flash('error', error.message)
      if (error.existingId) return response.redirect(`/services/${error.existingId}`)
      session.flashAll()
      return response.redirect().back()
    }
  }

  async show({ inertia, params }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    const customer = await Customer.findOrFail(service.customerId)
    return inertia.render('services/show', await serviceShowProps(service, customer))
  }

  async update({ request, response, params, auth, session }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    const input = await request.validateUsing(serviceLabelValidator)
    await updateServiceLabel(service, input.label, { userId: auth.user!.id })
    session.flash('success', 'Saved')
    return response.redirect(`/services/${service.id}`)
  }

  async destroy({ response, params, auth, session }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    await deleteService(service, { userId: auth.user!.id })
    session.flash('success', `${service.identifier} deleted; its unbilled records are unallocated`)
    return response.redirect(`/customers/${service.customerId}/services`)
  }
}
