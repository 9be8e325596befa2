import AuditLog from '#models/audit_log'
import User from '#models/user'
import { pageMeta, type PageMeta } from '#lib/db_helpers'
import { isoOf } from '#lib/iso_time'

/** Read model of the audit log page (audit/index): what staff and the system changed, by whom. */

const PAGE_SIZE = 50

export type AuditLogRow = {
  id: number
  userId: number | null
  action: string
  subjectType: string
  subjectId: number | null
  changes: Record<string, unknown> | null
  createdAt: string
  /** The staff user's name (or email), `#id` for a deleted user, 'system' for no user. */
  userName: string
}

export type AuditIndexProps = {
  /** The subject type the list is narrowed to ('' for all). */
  subjectType: string
  logs: AuditLogRow[]
  meta: PageMeta
}

async function userNames(logs: AuditLog[]): Promise<Map<number, string>> {
  const ids = [...new Set(logs.map((l) => l.userId).filter((id): id is number => id !== null))]
  const users = ids.length ? await User.query().whereIn('id', ids) : []
  return new Map(users.map((u) => [u.id, u.fullName ?? u.email]))
}

/** One page of the audit log, newest first, optionally narrowed to one subject type. */
export async function auditIndexProps(subjectType: string, page: number): Promise<AuditIndexProps> {
  const logs = await AuditLog.query()
    .if(subjectType, (q) => q.where('subject_type', subjectType))
    .orderBy('id', 'desc')
    .paginate(page, PAGE_SIZE)
  const names = await userNames(logs.all())
  return {
    subjectType,
    logs: logs.all().map((l) => ({
      id: l.id,
      userId: l.userId,
      action: l.action,
      subjectType: l.subjectType,
      subjectId: l.subjectId,
      changes: l.changes,
      createdAt: isoOf(l.createdAt),
      userName: l.userId ? (names.get(l.userId) ?? `#${l.userId}`) : 'system',
    })),
    meta: pageMeta(logs),
  }
}
