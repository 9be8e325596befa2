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

function role(user: User, name: User['role']) {
  user.role = name
  user.email = `${name}-${uniqueSuffix()}@reseller.example`
  user.fullName = `${name} user`
}
