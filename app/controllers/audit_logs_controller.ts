import type { HttpContext } from '@adonisjs/core/http'
import { pageMeta } from '#lib/db_helpers'
import AuditLog from '#models/audit_log'
import User from '#models/user'
import { pageQueryValidator } from '#validators/list_query'

export default class AuditLogsController {
  async index({ inertia, request }: HttpContext) {
    const { page = 1 } = await request.validateUsing(pageQueryValidator)
    const subjectType = String(request.input('subject', '')).trim()
    const logs = await AuditLog.query()
      .if(subjectType, (q) => q.where('subject_type', subjectType))
      .orderBy('id', 'desc')
      .paginate(page, 50)
    const userIds = [
      ...new Set(
        logs
          .all()
          .map((l) => l.userId)
          .filter((id): id is number => id !== null)
      ),
    ]
    const users = userIds.length ? await User.query().whereIn('id', userIds) : []
    const names = new Map(users.map((u) => [u.id, u.fullName ?? u.email]))
    return inertia.render('audit/index', {
      subjectType,
      logs: logs.all().map((l) => ({
        ...l.serialize(),
        userName: l.userId ? (names.get(l.userId) ?? `#${l.userId}`) : 'system',
      })),
      meta: pageMeta(logs),
    })
  }
}
