import type User from '#models/user'
import { abilitiesAllowed, listApiTokens, type ApiTokenRow } from '#api/tokens'

/** Read model of System → API tokens (api/tokens). */

/** A token the user just created, with its secret: shown once, never stored in clear. */
export type CreatedApiToken = { name: string; secret: string }

export type ApiTokensProps = {
  /** Every token for an admin, the user's own otherwise. */
  tokens: ApiTokenRow[]
  /** Whether the user may create tokens with the write ability. */
  mayWrite: boolean
  created: CreatedApiToken | null
}

export async function apiTokensProps(
  user: User,
  created: CreatedApiToken | null
): Promise<ApiTokensProps> {
  return {
    tokens: await listApiTokens({ userId: user.role === 'admin' ? null : user.id }),
    mayWrite: abilitiesAllowed(user.role).includes('write'),
    created,
  }
}
