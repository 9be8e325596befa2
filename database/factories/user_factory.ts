import factory from '@adonisjs/lucid/factories'
import User from '#models/user'
import { uniqueSuffix } from './sequence.js'
import { CustomerFactory } from './customer_factory.js'

/** A staff user (viewer unless a state says otherwise); `portal` users get a customer of their own. */
export const UserFactory = factory
  .define(User, () => ({
    email: `viewer-${uniqueSuffix()}@reseller.example`,
    password: 'secret-password',
    fullName: 'viewer user',
    role: 'viewer' as User['role'],
    customerId: null,
  }))
  .state('admin', (user) => role(user, 'admin'))
  .state('billing', (user) => role(user, 'billing'))
  .state('viewer', (user) => role(user, 'viewer'))
  .state('portal', (user) => role(user, 'portal'))
  .relation('customer', () => CustomerFactory)
  .build()

// States run after merge(): the role's own email and name only replace the defaults, never
// what a test merged in (makeUser('billing', { fullName: 'Carla Clerk' })).
function role(user: User, name: User['role']) {
  user.role = name
  if (/^viewer-.*@reseller\.example$/.test(user.email))
    user.email = `${name}-${uniqueSuffix()}@reseller.example`
  if (user.fullName === 'viewer user') user.fullName = `${name} user`
}
