import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import db from '@adonisjs/lucid/services/db'
import { BaseModel, afterSave, beforeSave, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import { DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import Customer from '#models/customer'

const AuthFinder = withAuthFinder(() => hash.use('scrypt'), {
  uids: ['email'],
  passwordColumnName: 'password',
})

/*
 * The role lists, defined once: route guards (start/route_guards.ts), abilities and the
 * `can` flags every page receives (config/inertia.ts) are all built from these.
 */
export const STAFF_ROLES = ['admin', 'billing', 'viewer'] as const
export type UserRole = (typeof STAFF_ROLES)[number] | 'portal'
/** Staff who change things; viewers only read. */
export const EDITOR_ROLES: readonly UserRole[] = ['admin', 'billing']
/** Staff who manage logins and read the audit log. */
export const ADMIN_ROLES: readonly UserRole[] = ['admin']
export const PORTAL_ROLES: readonly UserRole[] = ['portal']

export default class User extends compose(BaseModel, AuthFinder) {
  /** REST API tokens (app/api/tokens.ts): only the hash is stored; the secret is shown once. */
  static accessTokens = DbAccessTokensProvider.forModel(User, {
    prefix: 'tg_',
    table: 'auth_access_tokens',
    type: 'api_token',
  })

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare fullName: string | null

  @column()
  declare email: string

  @column({ serializeAs: null })
  declare password: string

  @column()
  declare role: UserRole

  /** Set only for portal users: the one customer whose data they may see. */
  @column()
  declare customerId: number | null

  @belongsTo(() => Customer)
  declare customer: BelongsTo<typeof Customer>

  /** Bumped by logout, a new password or a new role: sessions opened before stop working. */
  @column()
  declare sessionVersion: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @beforeSave()
  static endSessionsOnCredentialChange(user: User) {
    if (
      user.$isPersisted &&
      (user.$dirty.password !== undefined || user.$dirty.role !== undefined)
    ) {
      user.sessionVersion = (user.sessionVersion ?? 0) + 1
    }
  }

  /** Set before an update that must revoke the API tokens, acted on once the row is saved. */
  private revokeTokensAfterSave = false

  /**
   * A new password, or a role without API access, revokes the user's API tokens: a leaked or
   * shared secret must not outlive the credential change (a demotion to viewer keeps them, read-only).
   */
  @beforeSave()
  static markTokensForRevocation(user: User) {
    const leftStaff =
      user.$dirty.role !== undefined && !(STAFF_ROLES as readonly string[]).includes(user.role)
    user.revokeTokensAfterSave =
      user.$isPersisted && (user.$dirty.password !== undefined || leftStaff)
  }

  @afterSave()
  static async revokeTokensOnCredentialChange(user: User) {
    if (!user.revokeTokensAfterSave) return
    user.revokeTokensAfterSave = false
    await (user.$trx ?? db).from('auth_access_tokens').where('tokenable_id', user.id).delete()
  }

  get isStaff() {
    return this.role !== 'portal'
  }

  get canEdit() {
    return this.role === 'admin' || this.role === 'billing'
  }
}
