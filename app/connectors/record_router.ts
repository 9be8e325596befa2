import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { ParsedRecord } from '#connectors/types'
import { ZoneClock } from '#connectors/local_time'

/** Where one record of a reseller-wide feed goes. */
export type Route =
  | { kind: 'customer'; customerId: number; period: string }
  /** Nobody owns the record's service on its date: the unknown-services queue. */
  | { kind: 'unknown' }
  /** The record names an account that matches no customer: the row is rejected. */
  | { kind: 'error'; message: string }

interface Owner {
  customerId: number
  /** "YYYY-MM-DD HH:MM:SS" UTC, or '' for always. */
  from: string
}

interface Target {
  clock: ZoneClock
  accountNumber: string
}

const accountText = (value: string) => value.trim().toUpperCase()

/**
 * Decides the customer of each record of a reseller-wide feed, in memory (loaded once per
 * file): (a) by the record's account column, against this connector's supplier aliases,
 * then the customers' account numbers, then aliases valid for every feed; else (b) by the
 * owner of the record's service on the record's date (services.owned_from; when several
 * customers own it, the latest owner from before the record). The period is the record's
 * month in the routed customer's time zone.
 */
export class Router {
  private constructor(
    private accounts: Map<string, number>,
    private owners: Map<string, Owner[]>,
    private targets: Map<number, Target>
  ) {}

  static async load(client: QueryClientContract, connectorId: number | null): Promise<Router> {
    const clocks = new Map<string, ZoneClock>()
    const targets = new Map<number, Target>()
    const accounts = new Map<string, number>()
    for (const c of await client.from('customers').select('id', 'account_number', 'time_zone')) {
      const zone = String(c.time_zone)
      if (!clocks.has(zone)) clocks.set(zone, new ZoneClock('UTC', zone))
      targets.set(Number(c.id), {
        clock: clocks.get(zone)!,
        accountNumber: String(c.account_number),
      })
    }
    const aliases = await client
      .from('supplier_account_aliases')
      .where((q) =>
        connectorId
          ? q.whereNull('connector_id').orWhere('connector_id', connectorId)
          : q.whereNull('connector_id')
      )
      .select('alias', 'customer_id', 'connector_id')
    for (const a of aliases)
      if (a.connector_id === null) accounts.set(accountText(a.alias), Number(a.customer_id))
    for (const [id, t] of targets) accounts.set(accountText(t.accountNumber), id)
    for (const a of aliases)
      if (a.connector_id !== null) accounts.set(accountText(a.alias), Number(a.customer_id))

    const owners = new Map<string, Owner[]>()
    for (const s of await client
      .from('services')
      .select('identifier', 'customer_id', 'owned_from')) {
      const list = owners.get(s.identifier) ?? []
      list.push({
        customerId: Number(s.customer_id),
        from: s.owned_from ? sqlUtc(s.owned_from) : '',
      })
      owners.set(s.identifier, list)
    }
    // Latest owner first.
    for (const list of owners.values())
      list.sort((a, b) => (a.from < b.from ? 1 : a.from > b.from ? -1 : 0))
    return new Router(accounts, owners, targets)
  }

  route(record: ParsedRecord): Route {
    let customerId: number | undefined
    if (record.account) {
      customerId = this.accounts.get(accountText(record.account))
      if (customerId === undefined) {
        return {
          kind: 'error',
          message: `account "${record.account}" is no customer's account number or supplier account alias`,
        }
      }
    } else {
      customerId = this.ownerOn(record.identifier, record.occurredAt)
      if (customerId === undefined) return { kind: 'unknown' }
    }
    const target = this.targets.get(customerId)!
    return { kind: 'customer', customerId, period: target.clock.period(utcMs(record.occurredAt)) }
  }

  accountNumber(customerId: number): string {
    return this.targets.get(customerId)?.accountNumber ?? String(customerId)
  }

  private ownerOn(identifier: string, at: string): number | undefined {
    const list = this.owners.get(identifier)
    if (!list) return undefined
    const current = list.filter((o) => o.from <= at)
    if (!current.length) return undefined
    // Two customers owning the same identifier since the same time (e.g. extension 2001 on
    // two PBXs) cannot be told apart without an account column.
    if (
      current.length > 1 &&
      current[1].from === current[0].from &&
      current[1].customerId !== current[0].customerId
    )
      return undefined
    return current[0].customerId
  }
}

/** ms of a "YYYY-MM-DD HH:MM:SS" UTC time. */
export function utcMs(sql: string): number {
  // Read digit by digit: six slices and number conversions a record showed in the import's profile.
  const d = (at: number) => sql.charCodeAt(at) - 48
  return Date.UTC(
    d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3),
    d(5) * 10 + d(6) - 1,
    d(8) * 10 + d(9),
    d(11) * 10 + d(12),
    d(14) * 10 + d(15),
    d(17) * 10 + d(18)
  )
}

/** A timestamp column's value as "YYYY-MM-DD HH:MM:SS" UTC (MySQL gives a Date, SQLite the text). */
export function sqlUtc(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 19).replace('T', ' ')
  return String(value).slice(0, 19).replace('T', ' ')
}

/** Where an import's records went: per customer, and how many wait as unknown services. */
export async function importRouting(importId: number) {
  const customers = await db
    .from('usage_records as u')
    .join('customers as c', 'c.id', 'u.customer_id')
    .where('u.import_id', importId)
    .groupBy('c.id', 'c.name', 'c.account_number')
    .select('c.id', 'c.name', 'c.account_number')
    .count('* as records')
    .orderBy('c.name')
  const queued = await db
    .from('unknown_usage_records')
    .where('import_id', importId)
    .count('* as n')
    .first()
  return {
    customers: customers.map((c) => ({
      id: Number(c.id),
      name: String(c.name),
      accountNumber: String(c.account_number),
      records: Number(c.records),
    })),
    unknown: Number(queued?.n ?? 0),
  }
}
