import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { audit } from '#lib/audit'

/** Staff logins (admin, billing, viewer): the one write path and the read model of users/index. */

export type StaffRole = 'admin' | 'billing' | 'viewer'

export interface StaffUserView {
  id: number
  email: string
  fullName: string | null
  role: string
}

export type StaffUsersProps = {
  users: StaffUserView[]
}

export async function staffUsersProps(): Promise<StaffUsersProps> {
  const users = await User.query().whereNot('role', 'portal').orderBy('email')
  return {
    users: users.map((u) => ({ id: u.id, email: u.email, fullName: u.fullName, role: u.role })),
  }
}

/** A change that would lock the last admin out (or a staff user that does not exist). */
export class StaffUserError extends Error {}

export async function createStaffUser(
  input: { email: string; fullName?: string; role: StaffRole; password: string },
  byUserId: number | null
): Promise<User> {
  return db.transaction(async (trx) => {
    const user = await User.create(
      { ...input, fullName: input.fullName ?? null, customerId: null },
      { client: trx }
    )
    await audit(
      {
        userId: byUserId,
        action: 'user.created',
        subjectType: 'user',
        subjectId: user.id,
        changes: { email: user.email, role: user.role },
      },
      trx
    )
    return user
  })
}

/** Changes a staff user's role and (optionally) password; nobody takes the admin role from themselves. */
export async function updateStaffUser(
  id: number,
  input: { role: StaffRole; password?: string },
  byUserId: number
): Promise<User> {
  const user = await User.query().where('id', id).whereNot('role', 'portal').firstOrFail()
  if (user.id === byUserId && input.role !== 'admin')
    throw new StaffUserError('You cannot take the admin role away from yourself')
  await db.transaction(async (trx) => {
    user.useTransaction(trx)
    user.role = input.role
    if (input.password) user.password = input.password
    await user.save()
    await audit(
      {
        userId: byUserId,
        action: 'user.updated',
        subjectType: 'user',
        subjectId: user.id,
        changes: { role: input.role, passwordChanged: Boolean(input.password) },
      },
      trx
    )
  })
  return user
}
