import type { HttpContext } from '@adonisjs/core/http'
import { administer } from '#abilities/main'
import { createUserValidator, updateUserValidator } from '#validators/user'
import {
  StaffUserError,
  createStaffUser,
  staffUsersProps,
  updateStaffUser,
} from '#staff/staff_users'

/** Staff logins and their roles. Portal users are invited from a customer's insights page. */
export default class UsersController {
  async index({ inertia, bouncer }: HttpContext) {
    await bouncer.authorize(administer)
    return inertia.render('users/index', await staffUsersProps())
  }

  async store({ request, response, auth, bouncer, session }: HttpContext) {
    await bouncer.authorize(administer)
    const input = await request.validateUsing(createUserValidator)
    await createStaffUser(input, auth.user!.id)
    session.flash('success', `${input.email} can now log in as ${input.role}`)
    return response.redirect('/users')
  }

  async update({ request, response, params, auth, bouncer, session }: HttpContext) {
    await bouncer.authorize(administer)
    const input = await request.validateUsing(updateUserValidator)
    try {
      const user = await updateStaffUser(Number(params.id), input, auth.user!.id)
      session.flash('success', `${user.email} saved`)
    } catch (error) {
      if (!(error instanceof StaffUserError)) throw error
      session.flash('error', error.message)
    }
    return response.redirect('/users')
  }
}
