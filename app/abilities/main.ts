/*
 * Role-based abilities of staff users. Routes check roles with the `role`
 * middleware; controllers and pages ask these abilities for finer decisions.
 */
import { Bouncer } from '@adonisjs/bouncer'
import type User from '#models/user'

/** Admins manage staff logins and see the audit log. */
export const administer = Bouncer.ability((user: User) => user.role === 'admin')

/** Admins and the billing team change data; viewers only read. */
export const editBilling = Bouncer.ability((user: User) => user.role === 'admin' || user.role === 'billing')

/** Any staff role may read the admin UI; portal users never do. */
export const viewAdmin = Bouncer.ability((user: User) => user.role !== 'portal')
