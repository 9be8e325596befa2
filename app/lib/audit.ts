import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import AuditLog from '#models/audit_log'

/** Records who changed what. Pass the transaction so the entry commits with the change. */
export async function audit(
  entry: { userId?: number | null; action: string; subjectType: string; subjectId?: number | null; changes?: Record<string, any> | null },
  trx?: TransactionClientContract
) {
  return AuditLog.create(
    {
      userId: entry.userId ?? null,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId ?? null,
      changes: entry.changes ?? null,
    },
    { client: trx }
  )
}
