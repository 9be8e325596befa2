import User, { type UserRole } from '#models/user'
import Customer from '#models/customer'

let sequence = 0
const next = () => `${Date.now().toString(36)}${(sequence++).toString(36)}`

export async function makeCustomer(attrs: Partial<Customer> = {}) {
  const n = next()
  return Customer.create({
    accountNumber: `ACC-${n}`.toUpperCase(),
    name: `Customer ${n}`,
    billingEmail: `accounts-${n}@customer.example`,
    address: '1 High Street\nLondon\nEC1A 1AA',
    vatNumber: null,
    taxRateBp: 2000,
    currency: 'GBP',
    timeZone: 'Europe/London',
    paymentTermsDays: 30,
    billDay: 1,
    recurringBilling: 'advance',
    itemiseCalls: false,
    miAddon: false,
    ...attrs,
  })
}

export async function makeUser(role: UserRole, attrs: Partial<User> = {}) {
  return User.create({
    email: `${role}-${next()}@reseller.example`,
    password: 'secret-password',
    fullName: `${role} user`,
    role,
    customerId: null,
    ...attrs,
  })
}
