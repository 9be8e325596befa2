import db from '@adonisjs/lucid/services/db'
import type Customer from '#models/customer'
import User from '#models/user'
import { audit } from '#lib/audit'
import { e4ToMinor } from '#lib/money'

/** The staff page of a customer's portal: its users with their invitations, the MI add-on charges; and removing a portal user. */

export type PortalAdminProps = {
  customer: { id: number; name: string; accountNumber: string; miAddon: boolean; currency: string }
  users: {
    id: number
    email: string
    fullName: string | null
    invitedAt: string | null
    acceptedAt: string | null
    expiresAt: string | null
  }[]
  /** The add-on's recurring charges, monthly price in minor units of the customer's currency. */
  charges: {
    id: number
    description: string
    monthlyMinor: number
    startsOn: string | null
    endsOn: string | null
  }[]
}

export async function portalAdminProps(customer: Customer): Promise<PortalAdminProps> {
  const users = await db
    .from('users')
    .where('role', 'portal')
    .where('customer_id', customer.id)
    .select('id', 'email', 'full_name', 'created_at')
    .orderBy('email')
  const invites = await db
    .from('portal_invites')
    .where('customer_id', customer.id)
    .select('user_id', 'expires_at', 'accepted_at', 'created_at')
    .orderBy('id', 'desc')
  const latest = new Map<number, any>()
  for (const i of invites) if (!latest.has(Number(i.user_id))) latest.set(Number(i.user_id), i)
  const charges = await db
    .from('recurring_charges')
    .where('customer_id', customer.id)
    .where('origin', 'mi_addon')
    .select('id', 'description', 'unit_price_e4', 'starts_on', 'ends_on')
    .orderBy('id', 'desc')
  const iso = (v: any) =>
    v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v)
  return {
    customer: {
      id: customer.id,
      name: customer.name,
      accountNumber: customer.accountNumber,
      miAddon: customer.miAddon,
      currency: customer.currency,
    },
    users: users.map((u: any) => {
      const invite = latest.get(Number(u.id))
      return {
        id: Number(u.id),
        email: u.email,
        fullName: u.full_name,
        invitedAt: iso(invite?.created_at),
        acceptedAt: iso(invite?.accepted_at),
        expiresAt: iso(invite?.expires_at),
      }
    }),
    charges: charges.map((c: any) => ({
      id: Number(c.id),
      description: c.description,
      monthlyMinor: e4ToMinor(Number(c.unit_price_e4)),
      startsOn: iso(c.starts_on)?.slice(0, 10) ?? null,
      endsOn: iso(c.ends_on)?.slice(0, 10) ?? null,
    })),
  }
}

/** Removes a portal user of this customer; false when the id is not one of its portal users. */
export async function removePortalUser(
  customerId: number,
  userId: number,
  byUserId: number | null
): Promise<User | null> {
  const user = await User.query()
    .where('id', userId)
    .where('role', 'portal')
    .where('customer_id', customerId)
    .first()
  if (!user) return null
  await db.transaction(async (trx) => {
    user.useTransaction(trx)
    await user.delete()
    await audit(
      {
        userId: byUserId,
        action: 'portal.user_removed',
        subjectType: 'user',
        subjectId: user.id,
        changes: { email: user.email, customerId },
      },
      trx
    )
  })
  return user
}
