import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { sqlTime } from '#lib/db_helpers'

export interface AuditEntry {
  userId?: number | null
  action: string
  subjectType: string
  subjectId?: number | null
  changes?: Record<string, any> | null
}

/**
 * Records who changed what. Pass the transaction so the entry commits with the change.
 * Written with the query builder (not the AuditLog model) so that app/lib stays a leaf.
 */
export async function audit(entry: AuditEntry, trx?: TransactionClientContract) {
  await (trx ?? db).table('audit_logs').insert({
    user_id: entry.userId ?? null,
    action: entry.action,
    subject_type: entry.subjectType,
    subject_id: entry.subjectId ?? null,
    changes: entry.changes ? JSON.stringify(entry.changes) : null,
    created_at: sqlTime(),
  })
}
