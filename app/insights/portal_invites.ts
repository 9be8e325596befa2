import { createHash, randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import env from '#start/env'
import { DateTime } from 'luxon'
import Customer from '#models/customer'
import User from '#models/user'
import { audit } from '#lib/audit'

export const INVITE_DAYS = 14

export class PortalInviteError extends Error {}

/** 'yyyy-MM-dd HH:mm:ss' in UTC: the same text on SQLite and MySQL. */
const sqlTime = (t: DateTime) => t.toUTC().toFormat('yyyy-MM-dd HH:mm:ss')

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * Invites a customer user to the portal: creates (or reuses) a portal user of this customer with an
 * unusable password, stores the SHA-256 of a random one-time token and emails the link.
 * Refused when the customer has no management-information add-on.
 */
export async function invitePortalUser(
  customerId: number,
  input: { email: string; fullName?: string | null },
  invitedBy: number | null,
  baseUrl: string
) {
  const customer = await Customer.findOrFail(customerId)
  if (!customer.miAddon) {
    throw new PortalInviteError(
      'This customer has no management-information add-on: switch it on before inviting portal users.'
    )
  }
  const email = input.email.trim().toLowerCase()
  const token = randomBytes(32).toString('base64url')
  const { user, inviteId } = await db.transaction(async (trx) => {
    let found = await User.query({ client: trx }).where('email', email).first()
    if (found && (found.role !== 'portal' || found.customerId !== customerId)) {
      throw new PortalInviteError('That email address already belongs to another user.')
    }
    if (!found) {
      found = await User.create(
        {
          email,
          fullName: input.fullName || null,
          role: 'portal',
          customerId,
          password: randomBytes(24).toString('hex'),
        },
        { client: trx }
      )
    }
    // Older invites of this user stop working.
    await trx.from('portal_invites').where('user_id', found.id).whereNull('accepted_at').delete()
    const now = DateTime.utc()
    const [newId] = await trx.table('portal_invites').insert({
      user_id: found.id,
      customer_id: customerId,
      token_hash: hashToken(token),
      invited_by: invitedBy,
      expires_at: sqlTime(now.plus({ days: INVITE_DAYS })),
      accepted_at: null,
      created_at: sqlTime(now),
    })
    await audit(
      {
        userId: invitedBy,
        action: 'portal.invite',
        subjectType: 'user',
        subjectId: found.id,
        changes: { email, customerId },
      },
      trx
    )
    return { user: found, inviteId: Number(newId) }
  })

  const link = `${baseUrl.replace(/\/$/, '')}/portal/invite/${token}`
  try {
    await sendInviteMail({
      email,
      fullName: input.fullName ?? null,
      customerName: customer.name,
      link,
    })
  } catch (error) {
    // The user and invite stay; inviting again replaces the token.
    throw new PortalInviteError(
      `The invitation to ${email} could not be emailed (${(error as Error).message}). Send it again once mail works.`
    )
  }
  return { user, inviteId, token, link }
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

async function sendInviteMail(m: {
  email: string
  fullName: string | null
  customerName: string
  link: string
}) {
  const hello = m.fullName ? `Hello ${m.fullName},` : 'Hello,'
  await mail.send((message) => {
    message
      .from(env.get('MAIL_FROM', 'billing@reseller.example'))
      .to(m.email)
      .subject(`Your ${m.customerName} management information portal`)
      .text(
        `${hello}\n\nYou have been invited to the management information portal of ${m.customerName}.\n` +
          `Set your password here (the link works once and expires in ${INVITE_DAYS} days):\n\n${m.link}\n\nThen log in with ${m.email}.\n`
      )
      .html(
        `<p>${esc(hello)}</p><p>You have been invited to the management information portal of <b>${esc(m.customerName)}</b>.</p>` +
          `<p><a href="${esc(m.link)}">Set your password</a> (the link works once and expires in ${INVITE_DAYS} days), then log in with ${esc(m.email)}.</p>`
      )
  })
}

/** The pending, unexpired invite of a token, or null. */
export async function findInvite(token: string) {
  if (!token || token.length > 200) return null
  const invite = await db
    .from('portal_invites')
    .where('token_hash', hashToken(token))
    .whereNull('accepted_at')
    .first()
  if (!invite) return null
  const expires =
    invite.expires_at instanceof Date
      ? DateTime.fromJSDate(invite.expires_at)
      : DateTime.fromSQL(String(invite.expires_at), { zone: 'utc' })
  if (!expires.isValid || expires < DateTime.utc()) return null
  return {
    id: Number(invite.id),
    userId: Number(invite.user_id),
    customerId: Number(invite.customer_id),
  }
}

/** Sets the invitee's password and uses up the token. Returns the user, or null when the token is not valid. */
export async function acceptInvite(token: string, password: string) {
  const invite = await findInvite(token)
  if (!invite) return null
  return db.transaction(async (trx) => {
    const used = await trx
      .from('portal_invites')
      .where('id', invite.id)
      .whereNull('accepted_at')
      .update({ accepted_at: sqlTime(DateTime.utc()) })
    if (Number(Array.isArray(used) ? used[0] : used) === 0) return null
    const user = await User.findOrFail(invite.userId, { client: trx })
    user.password = password
    await user.save()
    await audit(
      {
        userId: user.id,
        action: 'portal.invite_accepted',
        subjectType: 'user',
        subjectId: user.id,
      },
      trx
    )
    return user
  })
}
