import mysql2 from 'mysql2'
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

/** MySQL chose this transaction as a deadlock victim (ER_LOCK_DEADLOCK); it rolled back and may be run again. */
export function isDeadlock(error: unknown) {
  const e = error as { code?: string; errno?: number }
  return e?.code === 'ER_LOCK_DEADLOCK' || e?.errno === 1213
}

/**
 * Runs a transaction, and runs it again when MySQL rolls it back as a deadlock
 * victim: the documented remedy, safe because the victim wrote nothing.
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      if (!isDeadlock(error) || attempt >= attempts) throw error
      await new Promise((resolve) =>
        setTimeout(resolve, 20 * attempt + Math.floor(Math.random() * 30))
      )
    }
  }
}

/**
 * A timestamp column as ISO-8601 UTC: mysql2 hands back a Date, SQLite the "yyyy-MM-dd HH:mm:ss"
 * text that sqlTime wrote (UTC). Null stays null.
 */
export function isoFromSql(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null
  if (value instanceof Date) return value.toISOString()
  const text = String(value)
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : text.replace(' ', 'T') + 'Z')
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

/** A timestamp column read back in the form sqlTime writes (UTC "yyyy-MM-dd HH:mm:ss"), on either driver. */
export function sqlTimeFromSql(value: unknown): string | null {
  const iso = isoFromSql(value)
  return iso === null ? null : sqlTime(new Date(iso))
}

/** A Lucid paginator's `getMeta()` (camelCase keys), as list pages receive it. */
export interface PageMeta {
  total: number
  perPage: number
  currentPage: number
  lastPage: number
  firstPage: number
  firstPageUrl: string
  lastPageUrl: string
  nextPageUrl: string | null
  previousPageUrl: string | null
}

/** Typed `getMeta()`: Lucid declares it `any`. */
export function pageMeta(paginator: { getMeta(): unknown }): PageMeta {
  return paginator.getMeta() as PageMeta
}

/** A value as a MySQL literal, escaped by mysql2 (for statements too large to bind value by value). */
export function mysqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL'
  if (typeof v === 'number') return String(v)
  if (typeof v === 'string') return mysql2.escape(v)
  throw new TypeError(`a ${typeof v} cannot be written as a literal`)
}

/**
 * Inserts many rows. MySQL/MariaDB: multi-row INSERTs of 2,000 rows with the values escaped by
 * mysql2 (binding a dozen values a row through the query builder costs more than the insert itself
 * when a pass writes hundreds of thousands of rows); SQLite: the query builder, 400 rows a
 * statement (it turns them into compound SELECTs of at most 500 terms).
 */
export async function insertRows(
  client: QueryClientContract,
  table: string,
  rows: Record<string, unknown>[]
) {
  if (rows.length === 0) return
  if (!isMysql(client)) {
    for (let i = 0; i < rows.length; i += 400)
      await client.table(table).multiInsert(rows.slice(i, i + 400))
    return
  }
  const columns = Object.keys(rows[0])
  for (let i = 0; i < rows.length; i += 2000) {
    const values = rows
      .slice(i, i + 2000)
      .map((r) => `(${columns.map((c) => mysqlLiteral(r[c])).join(',')})`)
    await client.rawQuery(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(',')}`)
  }
}
