import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import User, { EDITOR_ROLES, STAFF_ROLES } from '#models/user'
import { audit } from '#lib/audit'

/** What a token may do: `read` every GET of /api/v1, `write` everything else. */
export const API_ABILITIES = ['read', 'write'] as const
export type ApiAbility = (typeof API_ABILITIES)[number]

/** A token's abilities never exceed its user's role: a viewer's token reads only. */
export function abilitiesAllowed(role: User['role']): ApiAbility[] {
  if (!(STAFF_ROLES as readonly string[]).includes(role)) return []
  return EDITOR_ROLES.includes(role) ? ['read', 'write'] : ['read']
}

export class ApiTokenError extends Error {
  constructor(
    message: string,
    readonly field: string
  ) {
    super(message)
  }
}

export interface NewTokenFields {
  name: string
  write: boolean
  /** Days until the token stops working; none: until revoked. */
  expiresInDays?: number | null
}

/** The token list row: never the secret, nor its hash. */
export interface ApiTokenRow {
  id: number
  userId: number
  owner: string
  name: string | null
  abilities: string[]
  lastUsedAt: string | null
  expiresAt: string | null
  createdAt: string
  expired: boolean
}

/**
 * Creates a token for a staff user. The secret is in the result only: the table keeps its
 * SHA-256, so it cannot be shown again (the page says so).
 */
export async function createApiToken(user: User, input: NewTokenFields) {
  const allowed = abilitiesAllowed(user.role)
  if (!allowed.length) throw new ApiTokenError('Portal users have no API access', 'name')
  const abilities: ApiAbility[] = input.write ? ['read', 'write'] : ['read']
  if (abilities.some((a) => !allowed.includes(a)))
    throw new ApiTokenError('Your role may only read: a token cannot write', 'write')
  const token = await User.accessTokens.create(user, abilities, {
    name: input.name,
    expiresIn: input.expiresInDays ? input.expiresInDays * 86_400 : undefined,
  })
  try {
    await audit({
      userId: user.id,
      action: 'api_token.created',
      subjectType: 'api_token',
      subjectId: Number(token.identifier),
      changes: { name: input.name, abilities, expiresAt: token.expiresAt?.toISOString() ?? null },
    })
  } catch (error) {
    // No unaudited token: take it back.
    await User.accessTokens.delete(user, token.identifier)
    throw error
  }
  return {
    id: Number(token.identifier),
    secret: token.value!.release(),
    abilities,
    expiresAt: token.expiresAt,
  }
}

function isoOrNull(value: unknown) {
  if (value === null || value === undefined) return null
  const d =
    value instanceof Date
      ? DateTime.fromJSDate(value)
      : DateTime.fromSQL(String(value), { zone: 'utc' })
  return d.isValid ? d.toUTC().toISO() : String(value)
}

/** Tokens of one user, or of every staff user (admins), newest first. */
export async function listApiTokens(scope: { userId: number | null }): Promise<ApiTokenRow[]> {
  const rows = await db
    .from('auth_access_tokens as t')
    .join('users as u', 'u.id', 't.tokenable_id')
    .if(scope.userId !== null, (q) => q.where('t.tokenable_id', scope.userId!))
    .select(
      't.id',
      't.tokenable_id',
      'u.email',
      't.name',
      't.abilities',
      't.last_used_at',
      't.expires_at',
      't.created_at'
    )
    .orderBy('t.id', 'desc')
  const now = Date.now()
  return rows.map((r) => {
    const expiresAt = isoOrNull(r.expires_at)
    return {
      id: Number(r.id),
      userId: Number(r.tokenable_id),
      owner: String(r.email),
      name: r.name,
      abilities: JSON.parse(r.abilities),
      lastUsedAt: isoOrNull(r.last_used_at),
      expiresAt,
      createdAt: isoOrNull(r.created_at)!,
      expired: expiresAt !== null && Date.parse(expiresAt) <= now,
    }
  })
}

/** Revokes a token: its owner's, or any staff user's by an admin. Unknown or someone else's: 404. */
export async function revokeApiToken(actor: User, tokenId: number) {
  const row = await db
    .from('auth_access_tokens')
    .where('id', tokenId)
    .select('id', 'tokenable_id', 'name')
    .first()
  const mayRevoke = row && (Number(row.tokenable_id) === actor.id || actor.role === 'admin')
  if (!mayRevoke) return false
  await db.transaction(async (trx) => {
    await trx.from('auth_access_tokens').where('id', tokenId).delete()
    await audit(
      {
        userId: actor.id,
        action: 'api_token.revoked',
        subjectType: 'api_token',
        subjectId: tokenId,
        changes: { name: row.name, owner: Number(row.tokenable_id) },
      },
      trx
    )
  })
  return true
}
