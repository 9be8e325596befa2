import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Assignment from '#models/assignment'
import Customer from '#models/customer'
import Employee from '#models/employee'
import Service, { type ServiceKind } from '#models/service'
import { audit } from '#lib/audit'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import {
  affectedPeriods,
  assignService,
  localMidnight,
  sqlDateTime,
} from '#consolidation/assignments'
import { findOrCreateService, guessKind } from '#consolidation/services'
import { unallocatedMinorByIdentifier } from '#consolidation/rollups'

export type UnallocatedIdentifier = {
  identifier: string
  serviceId: number | null
  kind: ServiceKind | null
  records: number
  costE4: number
  priceE4: number
  /** unbilled price in minor units by the invoice's rule (a line per period, service, category) */
  priceMinor: number
  firstAt: string
  lastAt: string
}

const num = (v: unknown) => Number(v ?? 0)

/** Unknown or unassigned identifiers of a customer, with what they have cost so far (unbilled records). */
export async function unallocatedIdentifiers(
  customerId: number,
  opts: { search?: string; limit?: number } = {}
) {
  const q = db
    .from('usage_records as r')
    .leftJoin('services as s', 's.id', 'r.service_id')
    .where('r.customer_id', customerId)
    .whereNull('r.invoice_id')
    .whereNull('r.employee_id')
    .groupBy('r.identifier')
    .select('r.identifier')
    .select(db.raw('MAX(r.service_id) as service_id'), db.raw('MAX(s.kind) as kind'))
    .count('* as records')
    .select(
      db.raw('COALESCE(SUM(r.cost_e4), 0) as cost_e4'),
      db.raw('COALESCE(SUM(r.price_e4), 0) as price_e4')
    )
    .select(db.raw('MIN(r.occurred_at) as first_at'), db.raw('MAX(r.occurred_at) as last_at'))
    .orderByRaw('COALESCE(SUM(r.cost_e4), 0) DESC')
    .orderBy('r.identifier')
    .limit(opts.limit ?? 500)
  if (opts.search) q.where('r.identifier', 'like', `%${opts.search.replace(/[%_]/g, '')}%`)
  const rows = await q
  const minor = await unallocatedMinorByIdentifier(
    customerId,
    rows.map((r) => String(r.identifier))
  )
  return rows.map((r): UnallocatedIdentifier => ({
    identifier: String(r.identifier),
    serviceId: r.service_id === null ? null : num(r.service_id),
    kind: r.kind ?? null,
    records: num(r.records),
    costE4: num(r.cost_e4),
    priceE4: num(r.price_e4),
    priceMinor: minor.get(String(r.identifier)) ?? 0,
    firstAt: String(
      r.first_at instanceof Date ? sqlDateTime(DateTime.fromJSDate(r.first_at)) : r.first_at
    ),
    lastAt: String(
      r.last_at instanceof Date ? sqlDateTime(DateTime.fromJSDate(r.last_at)) : r.last_at
    ),
  }))
}

/** Unallocated cost so far per customer (only customers that have some). */
export async function unallocatedOverview() {
  const rows = await db
    .from('usage_records as r')
    .join('customers as c', 'c.id', 'r.customer_id')
    .whereNull('r.invoice_id')
    .whereNull('r.employee_id')
    .groupBy('c.id', 'c.name', 'c.account_number', 'c.currency')
    .select('c.id', 'c.name', 'c.account_number', 'c.currency')
    .count('* as records')
    .select(db.raw('COUNT(DISTINCT r.identifier) as identifiers'))
    .select(
      db.raw('COALESCE(SUM(r.cost_e4), 0) as cost_e4'),
      db.raw('COALESCE(SUM(r.price_e4), 0) as price_e4')
    )
    .orderByRaw('COALESCE(SUM(r.cost_e4), 0) DESC')
  return rows.map((r) => ({
    customerId: num(r.id),
    name: String(r.name),
    accountNumber: String(r.account_number),
    currency: String(r.currency),
    records: num(r.records),
    identifiers: num(r.identifiers),
    costE4: num(r.cost_e4),
    priceE4: num(r.price_e4),
  }))
}

/**
 * When a previously unallocated identifier should start belonging to someone: local midnight of
 * the day of its first unallocated unbilled record, but never before a still-running assignment
 * of the same service ends (so nobody else's records move).
 */
async function defaultStart(
  customer: Customer,
  service: Service,
  identifier: string,
  trx: TransactionClientContract
) {
  const first = await trx
    .from('usage_records')
    .where('customer_id', customer.id)
    .where('identifier', identifier)
    .whereNull('invoice_id')
    .whereNull('employee_id')
    .min('occurred_at as first')
  const raw = first[0]?.first
  let start: DateTime
  if (!raw)
    start = localMidnight(DateTime.now().setZone(customer.timeZone).toISODate()!, customer.timeZone)
  else {
    const at =
      raw instanceof Date
        ? DateTime.fromJSDate(raw).toUTC()
        : DateTime.fromSQL(String(raw), { zone: 'utc' })
    start = localMidnight(at.setZone(customer.timeZone).toISODate()!, customer.timeZone)
  }
  const covering = await Assignment.query({ client: trx })
    .where('service_id', service.id)
    .where('starts_at', '<=', sqlDateTime(start))
    .whereNotNull('ends_at')
    .where('ends_at', '>', sqlDateTime(start))
    .first()
  if (covering?.endsAt) start = covering.endsAt.toUTC()
  return start
}

export type AssignTarget = { identifier: string; kind?: ServiceKind | null; employeeId: number }

/**
 * Assigns identifiers to employees in one transaction (creating their services when unknown),
 * then re-links the affected unbilled records and refreshes rollups.
 */
export async function assignIdentifiers(
  customer: Customer,
  targets: AssignTarget[],
  opts: { from?: string | null; userId?: number | null; source?: string } = {}
) {
  const touched: { identifier: string; from: DateTime }[] = []
  await db.transaction(async (trx) => {
    for (const t of targets) {
      const employee = await Employee.query({ client: trx })
        .where('id', t.employeeId)
        .where('customer_id', customer.id)
        .firstOrFail()
      const { service, created } = await findOrCreateService(
        customer.id,
        t.kind ?? guessKind(t.identifier),
        t.identifier,
        trx
      )
      if (created) {
        await audit(
          {
            userId: opts.userId,
            action: 'service.create',
            subjectType: 'service',
            subjectId: service.id,
            changes: {
              kind: service.kind,
              identifier: service.identifier,
              source: opts.source ?? 'unallocated',
            },
          },
          trx
        )
      }
      const from = opts.from
        ? localMidnight(opts.from, customer.timeZone)
        : await defaultStart(customer, service, t.identifier, trx)
      await assignService(service, employee, from, { userId: opts.userId, trx })
      touched.push({ identifier: t.identifier, from })
    }
  })
  return relink(customer.id, touched)
}

async function relink(
  customerId: number,
  touched: { identifier: string; from: DateTime | null }[]
) {
  const periods = new Set<string>()
  for (const t of touched)
    for (const p of await affectedPeriods(customerId, t.identifier, t.from)) periods.add(p)
  if (periods.size) await afterUsageChange(customerId, [...periods])
  return { assigned: touched.length, periods: [...periods].sort() }
}

/** "john.smith@acme.example" → "John Smith"; numbers stay as they are. */
export function nameFromIdentifier(identifier: string) {
  if (!identifier.includes('@')) return identifier
  const local = identifier.split('@')[0]
  return (
    local
      .split(/[._-]+/)
      .filter(Boolean)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(' ') || identifier
  )
}

/** Creates one employee per identifier (named from it) and assigns the identifier to them. */
export async function createEmployeesFromIdentifiers(
  customer: Customer,
  items: { identifier: string; name?: string | null; departmentId?: number | null }[],
  opts: { from?: string | null; userId?: number | null } = {}
) {
  const targets: AssignTarget[] = []
  await db.transaction(async (trx) => {
    for (const item of items) {
      const isUpn = item.identifier.includes('@')
      const employee = await Employee.create(
        {
          customerId: customer.id,
          departmentId: item.departmentId ?? null,
          name: (item.name ?? '').trim() || nameFromIdentifier(item.identifier),
          email: isUpn ? item.identifier : null,
          employeeNumber: null,
          active: true,
        },
        { client: trx }
      )
      await audit(
        {
          userId: opts.userId,
          action: 'employee.create',
          subjectType: 'employee',
          subjectId: employee.id,
          changes: { name: employee.name, email: employee.email, fromIdentifier: item.identifier },
        },
        trx
      )
      targets.push({ identifier: item.identifier, employeeId: employee.id })
    }
  })
  const result = await assignIdentifiers(customer, targets, { ...opts, source: 'create-employees' })
  return { ...result, created: targets.length, employeeIds: targets.map((t) => t.employeeId) }
}

export const AUTO_MATCH_RULES = {
  upn_email: 'Microsoft 365 user name (UPN) equals the employee’s email address',
  identifier_employee_number: 'Extension or number equals the employee number',
} as const
export type AutoMatchRule = keyof typeof AUTO_MATCH_RULES

export async function enabledRules(customerId: number): Promise<AutoMatchRule[]> {
  const rows = await db
    .from('auto_match_rules')
    .where('customer_id', customerId)
    .where('enabled', true)
    .select('rule')
  return rows.map((r) => r.rule).filter((r): r is AutoMatchRule => r in AUTO_MATCH_RULES)
}

export async function setRule(
  customerId: number,
  rule: AutoMatchRule,
  enabled: boolean,
  userId: number | null = null
) {
  await db.transaction(async (trx) => {
    const now = sqlDateTime(DateTime.utc())
    await trx
      .knexQuery()
      .table('auto_match_rules')
      .insert({ customer_id: customerId, rule, enabled, created_at: now, updated_at: now })
      .onConflict(['customer_id', 'rule'])
      .merge(['enabled', 'updated_at'])
    await audit(
      {
        userId,
        action: enabled ? 'auto_match.enable' : 'auto_match.disable',
        subjectType: 'customer',
        subjectId: customerId,
        changes: { rule },
      },
      trx
    )
  })
}

/**
 * Applies auto-match rules to the unallocated identifiers of a customer (the enabled ones, or
 * the rules given) and assigns every match. Returns what was matched.
 */
export async function runAutoMatch(
  customer: Customer,
  opts: { rules?: AutoMatchRule[]; userId?: number | null } = {}
) {
  const rules = opts.rules ?? (await enabledRules(customer.id))
  if (rules.length === 0)
    return {
      matched: [] as { identifier: string; employeeId: number; rule: AutoMatchRule }[],
      assigned: 0,
      periods: [] as string[],
    }
  const unallocated = await unallocatedIdentifiers(customer.id, { limit: 100_000 })
  const employees = await Employee.query().where('customer_id', customer.id).where('active', true)
  const byEmail = new Map<string, number>()
  const byNumber = new Map<string, number>()
  for (const e of employees) {
    if (e.email) byEmail.set(e.email.trim().toLowerCase(), e.id)
    if (e.employeeNumber) byNumber.set(e.employeeNumber.trim().toLowerCase(), e.id)
  }
  const matched: { identifier: string; employeeId: number; rule: AutoMatchRule }[] = []
  for (const u of unallocated) {
    const id = u.identifier.toLowerCase()
    if (rules.includes('upn_email') && id.includes('@') && byEmail.has(id)) {
      matched.push({ identifier: u.identifier, employeeId: byEmail.get(id)!, rule: 'upn_email' })
    } else if (
      rules.includes('identifier_employee_number') &&
      byNumber.has(id.replace(/^\+/, ''))
    ) {
      matched.push({
        identifier: u.identifier,
        employeeId: byNumber.get(id.replace(/^\+/, ''))!,
        rule: 'identifier_employee_number',
      })
    }
  }
  if (matched.length === 0) return { matched, assigned: 0, periods: [] as string[] }
  const result = await assignIdentifiers(
    customer,
    matched.map((m) => ({ identifier: m.identifier, employeeId: m.employeeId })),
    {
      userId: opts.userId,
      source: 'auto-match',
    }
  )
  return { matched, ...result }
}
