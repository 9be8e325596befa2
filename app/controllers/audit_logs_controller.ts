import type { HttpContext } from '@adonisjs/core/http'
import { auditIndexProps } from '#staff/audit_views'
import { pageQueryValidator } from '#validators/list_query'

export default class AuditLogsController {
  async index({ inertia, request }: HttpContext) {
    const { page = 1 } = await request.validateUsing(pageQueryValidator)
    const subjectType = String(request.input('subject', '')).trim()
    return inertia.render('audit/index', await auditIndexProps(subjectType, page))
  }
}
