import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/** Row locks (FOR UPDATE / SKIP LOCKED) only exist on MySQL; SQLite has a single writer. */
export function isMysql(client: QueryClientContract) {
  return client.dialect.name === 'mysql'
}

/** Duplicate key on either driver (MySQL ER_DUP_ENTRY, SQLite UNIQUE constraint). */
export function isDuplicateKey(error: unknown) {
  const e = error as { code?: string; errno?: number; message?: string }
  return (
    e?.code === 'ER_DUP_ENTRY' ||
    e?.errno === 1062 ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed|Duplicate entry/i.test(e?.message ?? '')
  )
}

/** SUM() comes back as a string (MySQL DECIMAL) or number (SQLite): integers either way. */
export function int(value: unknown): number {
  if (value === null || value === undefined) return 0
  const n = typeof value === 'number' ? value : Number(String(value))
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${value}`)
  return n
}

export const PERIOD_RE = /^\d{4}-(0[1-9]|1[0-2])$/

/** A timestamp as Lucid writes it on both drivers (UTC, "yyyy-MM-dd HH:mm:ss"). */
export function sqlTime(date: Date = new Date()) {
  return date.toISOString().slice(0, 19).replace('T', ' ')
}
