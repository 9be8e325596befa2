/*
 * Role-based abilities of staff users. Routes check roles with the guards in
 * start/route_guards.ts; controllers ask these abilities for finer decisions, and
 * pages get the same answers as `can` (app/abilities/permissions.ts).
 */
import { Bouncer } from '@adonisjs/bouncer'
import { ADMIN_ROLES } from '#models/user'
import type User from '#models/user'

/** Admins manage staff logins and see the audit log. */
export const administer = Bouncer.ability((user: User) => ADMIN_ROLES.includes(user.role))
