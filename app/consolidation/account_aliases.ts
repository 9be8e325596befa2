import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { audit } from '#lib/audit'

/** A supplier's code for a customer, as the customer page lists it. */
export interface AccountAliasRow {
  id: number
  alias: string
  connectorId: number | null
  /** The feed it holds for, or "Every feed and upload". */
  feed: string
}

export interface AliasChoices {
  aliases: AccountAliasRow[]
  connectors: { id: number; name: string }[]
}

/** The customer's aliases and the feeds an alias can be limited to. */
export async function customerAliases(customerId: number): Promise<AliasChoices> {
  const rows = await db
    .from('supplier_account_aliases as a')
    .leftJoin('connectors as c', 'c.id', 'a.connector_id')
    .where('a.customer_id', customerId)
    .orderBy('a.alias')
    .select('a.id', 'a.alias', 'a.connector_id', 'c.name as connector_name')
  const connectors = await db
    .from('connectors')
    .whereNot('type', 'm365')
    .orderBy('name')
    .select('id', 'name')
  return {
    aliases: rows.map((r) => ({
      id: Number(r.id),
      alias: String(r.alias),
      connectorId: r.connector_id === null ? null : Number(r.connector_id),
      feed: r.connector_name ?? 'Every feed and upload',
    })),
    connectors: connectors.map((c) => ({ id: Number(c.id), name: String(c.name) })),
  }
}

/** A change to aliases that cannot be made, with the form field it concerns. */
export class AliasConflict extends Error {
  constructor(
    message: string,
    readonly field: 'alias' | 'connectorId' = 'alias'
  ) {
    super(message)
  }
}

/**
 * Adds a supplier account alias: records of a reseller-wide feed whose account column
 * holds it go to the customer. An alias must point at one customer per feed (and an alias
 * for every feed must not collide with a feed-specific one of another customer), and must
 * not be another customer's account number. Audited.
 */
export async function addAlias(
  input: { customerId: number; connectorId: number | null; alias: string },
  userId: number | null
) {
  const alias = input.alias.trim()
  return db.transaction(async (trx) => {
    const numberOwner = await trx
      .from('customers')
      .whereRaw('UPPER(account_number) = ?', [alias.toUpperCase()])
      .whereNot('id', input.customerId)
      .first()
    if (numberOwner)
      throw new AliasConflict(`"${alias}" is the account number of ${numberOwner.name}`)
    const clash = await trx
      .from('supplier_account_aliases as a')
      .join('customers as c', 'c.id', 'a.customer_id')
      .whereRaw('UPPER(a.alias) = ?', [alias.toUpperCase()])
      .where((q) => {
        if (input.connectorId === null) return q.whereNotNull('a.id')
        return q.whereNull('a.connector_id').orWhere('a.connector_id', input.connectorId)
      })
      .select('a.customer_id', 'a.connector_id', 'c.name')
      .forUpdate()
    const other = clash.find((c) => Number(c.customer_id) !== input.customerId)
    if (other)
      throw new AliasConflict(
        `"${alias}" is already an alias of ${other.name}${other.connector_id === null ? '' : ' for this feed'}`
      )
    if (
      clash.some(
        (c) => (c.connector_id === null ? null : Number(c.connector_id)) === input.connectorId
      )
    ) {
      throw new AliasConflict(`"${alias}" is already an alias of this customer`)
    }
    const stamp = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
    const [id] = await trx.table('supplier_account_aliases').insert({
      customer_id: input.customerId,
      connector_id: input.connectorId,
      alias,
      created_at: stamp,
      updated_at: stamp,
    })
    await audit(
      {
        userId,
        action: 'account_alias.create',
        subjectType: 'customer',
        subjectId: input.customerId,
        changes: { alias, connectorId: input.connectorId },
      },
      trx
    )
    return Number(id)
  })
}

/** Removes one of a customer's aliases (false when it is not the customer's). Audited. */
export async function removeAlias(
  customerId: number,
  aliasId: number,
  userId: number | null
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const row = await trx
      .from('supplier_account_aliases')
      .where('id', aliasId)
      .where('customer_id', customerId)
      .forUpdate()
      .first()
    if (!row) return false
    await trx.from('supplier_account_aliases').where('id', aliasId).delete()
    await audit(
      {
        userId,
        action: 'account_alias.delete',
        subjectType: 'customer',
        subjectId: customerId,
        changes: { alias: row.alias, connectorId: row.connector_id },
      },
      trx
    )
    return true
  })
}
