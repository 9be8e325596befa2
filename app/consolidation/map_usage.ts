import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'

export type MapScope = {
  customerId: number
  period?: string
  recordIds?: number[]
  identifier?: string
}

/** The WHERE clause (and its bindings) that picks the unbilled records of a scope. */
function scopeSql(scope: MapScope, alias: string) {
  const p = alias ? `${alias}.` : ''
  const parts = [`${p}customer_id = ?`, `${p}invoice_id IS NULL`]
  const bindings: (string | number)[] = [scope.customerId]
  if (scope.period) {
    parts.push(`${p}period = ?`)
    bindings.push(scope.period)
  }
  if (scope.identifier !== undefined) {
    parts.push(`${p}identifier = ?`)
    bindings.push(scope.identifier)
  }
  if (scope.recordIds) {
    parts.push(`${p}id IN (${scope.recordIds.map(() => '?').join(',') || 'NULL'})`)
    bindings.push(...scope.recordIds)
  }
  return { where: parts.join(' AND '), bindings }
}

function isMysql(client: QueryClientContract) {
  return client.dialect.name === 'mysql'
}

/**
 * Ties unbilled usage records to a service, and through the assignment effective at
 * the record's time ([starts_at, ends_at)) to an employee and the employee's department.
 * A record whose identifier matches no service, or whose service had nobody at that time,
 * keeps employee_id null: it is unallocated.
 *
 * Set-based: on MySQL UPDATE … JOIN over primary-key ranges of 50,000, touching only rows whose links
 * change; on SQLite three correlated-subquery UPDATEs. Large id lists are chunked.
 */
export async function mapUsage(
  scope: MapScope,
  trx?: TransactionClientContract
): Promise<{ mapped: number; unallocated: number }> {
  if (scope.recordIds && scope.recordIds.length > 5000) {
    const total = { mapped: 0, unallocated: 0 }
    for (let i = 0; i < scope.recordIds.length; i += 5000) {
      const r = await mapUsage({ ...scope, recordIds: scope.recordIds.slice(i, i + 5000) }, trx)
      total.mapped += r.mapped
      total.unallocated += r.unallocated
    }
    return total
  }
  const client: QueryClientContract = trx ?? db.connection()

  if (isMysql(client)) {
    const { where, bindings } = scopeSql(scope, 'r')
    // Service identifiers are unique per customer (every code path that creates services checks the
    // identifier whatever its kind), so the join finds at most one service; then the assignment
    // effective at occurred_at (assignments of a service never overlap).
    const joins = `LEFT JOIN services s ON s.customer_id = r.customer_id AND s.identifier = r.identifier
        LEFT JOIN assignments a
          ON a.service_id = s.id AND a.starts_at <= r.occurred_at AND (a.ends_at IS NULL OR a.ends_at > r.occurred_at)
        LEFT JOIN employees e ON e.id = a.employee_id`
    // A plain (non-locking) read finds the id range of rows whose links are wrong: after an import
    // that is just the new rows, and re-mapping a month that is already right writes nothing. The
    // UPDATE then goes over that range in primary-key slices, touching only rows that change.
    const stale = `NOT (r.service_id <=> s.id AND r.employee_id <=> a.employee_id AND r.department_id <=> e.department_id)`
    const range = await client.rawQuery(
      `SELECT MIN(r.id) AS lo, MAX(r.id) AS hi FROM usage_records r ${joins} WHERE ${where} AND ${stale}`,
      bindings
    )
    const lo = Number(range[0][0]?.lo ?? 0)
    const hi =
      range[0][0]?.hi === null || range[0][0]?.hi === undefined ? -1 : Number(range[0][0].hi)
    for (let from = lo; from <= hi; from += 50_000) {
      await client.rawQuery(
        `UPDATE usage_records r ${joins}
          SET r.service_id = s.id, r.employee_id = a.employee_id, r.department_id = e.department_id
          WHERE r.id BETWEEN ? AND ? AND ${where} AND ${stale}`,
        [from, Math.min(hi, from + 49_999), ...bindings]
      )
    }
  } else {
    const { where, bindings } = scopeSql(scope, '')
    await client.rawQuery(
      `UPDATE usage_records SET service_id = (
          SELECT MIN(s.id) FROM services s
          WHERE s.customer_id = usage_records.customer_id AND s.identifier = usage_records.identifier
        ) WHERE ${where}`,
      bindings
    )
    await client.rawQuery(
      `UPDATE usage_records SET employee_id = (
          SELECT a.employee_id FROM assignments a
          WHERE a.service_id = usage_records.service_id
            AND a.starts_at <= usage_records.occurred_at
            AND (a.ends_at IS NULL OR a.ends_at > usage_records.occurred_at)
          ORDER BY a.starts_at DESC LIMIT 1
        ) WHERE ${where}`,
      bindings
    )
    await client.rawQuery(
      `UPDATE usage_records SET department_id = (
          SELECT e.department_id FROM employees e WHERE e.id = usage_records.employee_id
        ) WHERE ${where}`,
      bindings
    )
  }

  const { where, bindings } = scopeSql(scope, '')
  const counts = await client.rawQuery(
    `SELECT SUM(CASE WHEN employee_id IS NULL THEN 0 ELSE 1 END) AS mapped,
            SUM(CASE WHEN employee_id IS NULL THEN 1 ELSE 0 END) AS unallocated
       FROM usage_records WHERE ${where}`,
    bindings
  )
  const row = isMysql(client) ? counts[0][0] : counts[0]
  return { mapped: Number(row?.mapped ?? 0), unallocated: Number(row?.unallocated ?? 0) }
}
