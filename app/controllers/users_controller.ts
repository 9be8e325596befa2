import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { administer } from '#abilities/main'
import { createUserValidator, updateUserValidator } from '#validators/user'
import { audit } from '#lib/audit'

/** Staff logins and their roles. Portal users are invited from a customer's insights page. */
export default class UsersController {
  async index({ inertia, bouncer }: HttpContext) {
    await bouncer.authorize(administer)
    const users = await User.query().whereNot('role', 'portal').orderBy('email')
    return inertia.render('users/index', {
      users: users.map((u) => ({ id: u.id, email: u.email, fullName: u.fullName, role: u.role })),
    })
  }

  async store({ request, response, auth, bouncer, session }: HttpContext) {
    await bouncer.authorize(administer)
    const input = await request.validateUsing(createUserValidator)
    await db.transaction(async (trx) => {
      const user = await User.create({ ...input, fullName: input.fullName ?? null, customerId: null }, { client: trx })
      await audit({ userId: auth.user!.id, action: 'user.created', subjectType: 'user', subjectId: user.id, changes: { email: user.email, role: user.role } }, trx)
    })
    session.flash('success', `${input.email} can now log in as ${input.role}`)
    return response.redirect('/users')
  }

  async update({ request, response, params, auth, bouncer, session }: HttpContext) {
    await bouncer.authorize(administer)
    const user = await User.query().where('id', params.id).whereNot('role', 'portal').firstOrFail()
    const input = await request.validateUsing(updateUserValidator)
    if (user.id === auth.user!.id && input.role !== 'admin') {
      session.flash('error', 'You cannot take the admin role away from yourself')
      return response.redirect('/users')
    }
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.role = input.role
      if (input.password) user.password = input.password
      await user.save()
      await audit({ userId: auth.user!.id, action: 'user.updated', subjectType: 'user', subjectId: user.id, changes: { role: input.role, passwordChanged: Boolean(input.password) } }, trx)
    })
    session.flash('success', `${user.email} saved`)
    return response.redirect('/users')
  }
}
