import { DateTime } from 'luxon'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { asteriskKey } from '#connectors/asterisk'
import { profileKey } from '#connectors/csv_profile'

/**
 * Re-keys usage records stored when dedupe keys were unique per route (`connector:3`,
 * `manual:asterisk:4`) to the per-reseller keys the parsers now give (see asteriskKey,
 * profileKey), so that a call is stored once whatever route brings it next.
 *
 * Records of two routes that now share a key are the same call stored twice only when
 * they agree on the call itself (time, identifier, destination, duration, volume,
 * quantity); otherwise they stay apart as distinct calls (the key gets `#<id>`). Of the
 * same call stored twice the billed copy (else the first) stays; an unbilled second copy
 * is removed (it would be billed again); a second copy that is billed too stays, keyed
 * `#dup<id>`, and is listed as billed twice so a credit note can be raised. Both outcomes
 * go to usage_rekey_report. Idempotent: keys already in the new form are left alone.
 */
export async function rekeyUsage(client: QueryClientContract, table = 'usage_records') {
  const families = await sourceFamilies(client, table)
  let rekeyed = 0
  for (const [source, family] of families)
    rekeyed += await rekeySource(client, table, source, family)
  const outcome = await resolveCollisions(client, table)
  return { rekeyed, ...outcome }
}

type Family = { kind: 'asterisk' } | { kind: 'profile'; name: string } | { kind: 'other' }

async function sourceFamilies(
  client: QueryClientContract,
  table: string
): Promise<Map<string, Family>> {
  const sources = (await client.from(table).distinct('source')).map((r) => String(r.source))
  const connectors = new Map<number, { type: string; settings: any }>()
  for (const c of await client.from('connectors').select('id', 'type', 'settings')) {
    const settings = typeof c.settings === 'string' ? safeJson(c.settings) : c.settings
    connectors.set(Number(c.id), { type: String(c.type), settings: settings ?? {} })
  }
  const out = new Map<string, Family>()
  for (const source of sources) {
    const connector = /^connector:(\d+)$/.exec(source)
    const manualProfile = /^manual:profile:(.+):\d+$/.exec(source)
    let family: Family = { kind: 'other' }
    if (connector) {
      const c = connectors.get(Number(connector[1]))
      if (c?.type === 'asterisk') family = { kind: 'asterisk' }
      else if (c?.type === 'csv_profile' && c.settings.profile)
        family = { kind: 'profile', name: String(c.settings.profile) }
    } else if (/^manual:asterisk:\d+$/.test(source)) {
      family = { kind: 'asterisk' }
    } else if (manualProfile) {
      family = { kind: 'profile', name: manualProfile[1] }
    }
    if (family.kind !== 'other') out.set(source, family)
  }
  return out
}

function safeJson(text: string) {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

const SHA1 = /^[0-9a-f]{40}$/

function sqlTime(value: unknown): string {
  if (value instanceof Date)
    return DateTime.fromJSDate(value, { zone: 'utc' }).toFormat('yyyy-MM-dd HH:mm:ss')
  return String(value).slice(0, 19).replace('T', ' ')
}

/** The per-reseller key of a legacy record, or null when it already has one. */
export function legacyKey(
  family: Family,
  row: { dedupe_key: string; occurred_at: unknown; identifier: string }
): string | null {
  const key = String(row.dedupe_key)
  if (family.kind === 'asterisk') {
    if (key.startsWith('ast:')) return null
    // A 40-hex key was the SHA-1 of the raw row (no uniqueid): the new key hashes the trimmed row.
    if (SHA1.test(key)) return `ast:h:${key}`
    return asteriskKey(key, sqlTime(row.occurred_at), String(row.identifier))
  }
  if (family.kind === 'profile') {
    if (key.startsWith('prof:')) return null
    return profileKey(family.name, SHA1.test(key) ? `h:${key}` : key)
  }
  return null
}

async function rekeySource(
  client: QueryClientContract,
  table: string,
  source: string,
  family: Family
) {
  let after = 0
  let changed = 0
  for (;;) {
    const rows = await client
      .from(table)
      .where('source', source)
      .where('id', '>', after)
      .orderBy('id')
      .limit(2000)
      .select('id', 'dedupe_key', 'occurred_at', 'identifier')
    if (!rows.length) break
    after = Number(rows[rows.length - 1].id)
    const updates: [number, string][] = []
    for (const r of rows) {
      const key = legacyKey(family, r)
      if (key && key !== r.dedupe_key) updates.push([Number(r.id), key])
    }
    for (let i = 0; i < updates.length; i += 500) {
      const chunk = updates.slice(i, i + 500)
      const cases = chunk.map(() => 'WHEN ? THEN ?').join(' ')
      await client.rawQuery(
        `UPDATE ${table} SET dedupe_key = CASE id ${cases} END WHERE id IN (${chunk.map(() => '?').join(',')})`,
        [...chunk.flat(), ...chunk.map(([id]) => id)]
      )
    }
    changed += updates.length
  }
  return changed
}

const CALL_FIELDS = [
  'occurred_at',
  'identifier',
  'destination',
  'duration_s',
  'volume_bytes',
  'quantity',
] as const

function sameCall(a: Record<string, any>, b: Record<string, any>) {
  return CALL_FIELDS.every((f) =>
    f === 'occurred_at'
      ? sqlTime(a[f]) === sqlTime(b[f])
      : String(a[f] ?? '') === String(b[f] ?? '')
  )
}

function suffixed(key: string, suffix: string) {
  return key.slice(0, 128 - suffix.length) + suffix
}

async function resolveCollisions(client: QueryClientContract, table: string) {
  const groups = await client
    .from(table)
    .groupBy('dedupe_key')
    .havingRaw('COUNT(*) > 1')
    .select('dedupe_key')
  const outcome = { removed: 0, billedTwice: 0, keptApart: 0 }
  const stamp = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
  for (const g of groups) {
    const rows = await client.from(table).where('dedupe_key', g.dedupe_key).orderBy('id')
    // The billed copy stays where it is; else the first stored.
    const survivor = rows.find((r) => r.invoice_id !== null) ?? rows[0]
    for (const r of rows) {
      if (r.id === survivor.id) continue
      if (!sameCall(r, survivor)) {
        await client
          .from(table)
          .where('id', r.id)
          .update({ dedupe_key: suffixed(r.dedupe_key, `#${r.id}`) })
        outcome.keptApart++
        continue
      }
      const kind = r.invoice_id === null ? 'removed' : 'billed_twice'
      await client.table('usage_rekey_report').insert({
        kind,
        record_id: r.id,
        survivor_id: survivor.id,
        customer_id: r.customer_id,
        survivor_customer_id: survivor.customer_id,
        invoice_id: r.invoice_id,
        survivor_invoice_id: survivor.invoice_id,
        dedupe_key: String(g.dedupe_key),
        identifier: r.identifier,
        occurred_at: sqlTime(r.occurred_at),
        period: r.period,
        price_e4: r.price_e4,
        created_at: stamp,
      })
      if (kind === 'removed') {
        await client.from(table).where('id', r.id).delete()
        outcome.removed++
      } else {
        await client
          .from(table)
          .where('id', r.id)
          .update({ dedupe_key: suffixed(r.dedupe_key, `#dup${r.id}`) })
        outcome.billedTwice++
      }
    }
  }
  return outcome
}

/** A call found stored twice when keys became per reseller, for the imports page and usage:duplicates. */
export interface DuplicateCallRow {
  kind: 'removed' | 'billed_twice'
  identifier: string
  /** UTC "YYYY-MM-DD HH:MM:SS". */
  occurredAt: string
  period: string
  customer: string
  accountNumber: string
  currency: string
  priceE4: number | null
  /** The invoice of the copy kept, and of the second copy (billed twice only). */
  invoiceNumber: string | null
  secondInvoiceNumber: string | null
}

/** Calls billed twice first (they need credit notes), then the unbilled copies that were removed. */
export async function duplicateCallReport(
  client: QueryClientContract,
  limit = 500
): Promise<{ rows: DuplicateCallRow[]; billedTwice: number; removed: number }> {
  const rows = await client
    .from('usage_rekey_report as r')
    .leftJoin('customers as c', 'c.id', 'r.customer_id')
    .leftJoin('invoices as i1', 'i1.id', 'r.survivor_invoice_id')
    .leftJoin('invoices as i2', 'i2.id', 'r.invoice_id')
    .orderByRaw("CASE WHEN r.kind = 'billed_twice' THEN 0 ELSE 1 END")
    .orderBy('r.occurred_at')
    .limit(limit)
    .select(
      'r.kind',
      'r.identifier',
      'r.occurred_at',
      'r.period',
      'r.price_e4',
      'c.name',
      'c.account_number',
      'c.currency',
      'i1.number as first_number',
      'i2.number as second_number'
    )
  const counts = await client
    .from('usage_rekey_report')
    .groupBy('kind')
    .select('kind')
    .count('* as n')
  const count = (kind: string) => Number(counts.find((c) => c.kind === kind)?.n ?? 0)
  return {
    rows: rows.map((r) => ({
      kind: r.kind,
      identifier: String(r.identifier),
      occurredAt: sqlTime(r.occurred_at),
      period: String(r.period),
      customer: String(r.name ?? ''),
      accountNumber: String(r.account_number ?? ''),
      currency: String(r.currency ?? 'GBP'),
      priceE4: r.price_e4 === null ? null : Number(r.price_e4),
      invoiceNumber: r.first_number ?? null,
      secondInvoiceNumber: r.second_number ?? null,
    })),
    billedTwice: count('billed_twice'),
    removed: count('removed'),
  }
}

/** The customer periods whose removed copies have not had their rollups refreshed yet (then marks them). */
export async function periodsToRefresh(
  client: QueryClientContract
): Promise<Map<number, string[]>> {
  const rows = await client
    .from('usage_rekey_report')
    .where('kind', 'removed')
    .whereNull('refreshed_at')
    .distinct('customer_id', 'period')
  const out = new Map<number, string[]>()
  for (const r of rows)
    out.set(Number(r.customer_id), [...(out.get(Number(r.customer_id)) ?? []), String(r.period)])
  await client
    .from('usage_rekey_report')
    .where('kind', 'removed')
    .whereNull('refreshed_at')
    .update({ refreshed_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss') })
  return out
}
