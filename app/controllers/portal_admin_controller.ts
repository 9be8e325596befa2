import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import Customer from '#models/customer'
import User from '#models/user'
import { audit } from '#lib/audit'
import { miAddonValidator, portalInviteValidator } from '#validators/insights'
import { setMiAddon } from '#insights/mi_addon'
import { PortalInviteError, invitePortalUser } from '#insights/portal_invites'
import { e4ToMinor } from '#lib/money'

/** Staff side of the customer portal: the MI add-on switch and portal user invitations. */
export default class PortalAdminController {
  async show({ params, inertia }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
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
    const iso = (v: any) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v))
    return inertia.render('insights/portal_admin', {
      customer: { id: customer.id, name: customer.name, accountNumber: customer.accountNumber, miAddon: customer.miAddon, currency: customer.currency },
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
    })
  }

  async addon({ params, request, response, session, auth }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const { enabled } = await request.validateUsing(miAddonValidator)
    await setMiAddon(customer.id, enabled, auth.user?.id ?? null)
    session.flash('success', enabled ? 'Management information add-on switched on' : 'Management information add-on switched off')
    return response.redirect(`/customers/${customer.id}/portal`)
  }

  async invite({ params, request, response, session, auth }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const data = await request.validateUsing(portalInviteValidator)
    const baseUrl = env.get('APP_URL') || `${request.protocol()}://${request.host()}`
    try {
      await invitePortalUser(customer.id, data, auth.user?.id ?? null, baseUrl)
    } catch (error) {
      if (error instanceof PortalInviteError) {
        session.flash('error', error.message)
        return response.redirect(`/customers/${customer.id}/portal`)
      }
      throw error
    }
    session.flash('success', `Invitation sent to ${data.email}`)
    return response.redirect(`/customers/${customer.id}/portal`)
  }

  /** Removes a portal user of this customer (another customer's or a staff user's id: 404). */
  async removeUser({ params, response, session, auth }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const user = await User.query().where('id', Number(params.userId) || 0).where('role', 'portal').where('customer_id', customer.id).first()
    if (!user) return response.notFound('Not found')
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      await user.delete()
      await audit({ userId: auth.user?.id ?? null, action: 'portal.user_removed', subjectType: 'user', subjectId: user.id, changes: { email: user.email, customerId: customer.id } }, trx)
    })
    session.flash('success', `${user.email} can no longer log in to the portal`)
    return response.redirect(`/customers/${customer.id}/portal`)
  }
}
