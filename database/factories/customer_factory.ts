import factory from '@adonisjs/lucid/factories'
import Customer from '#models/customer'
import { uniqueSuffix } from './sequence.js'
import { DepartmentFactory } from './department_factory.js'
import { EmployeeFactory } from './employee_factory.js'
import { ServiceFactory } from './service_factory.js'

/** A UK customer billed monthly in advance, 20% VAT, GBP, no add-ons. */
export const CustomerFactory = factory
  .define(Customer, () => {
    const n = uniqueSuffix()
    return {
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
      recurringBilling: 'advance' as const,
      itemiseCalls: false,
      miAddon: false,
    }
  })
  .relation('departments', () => DepartmentFactory)
  .relation('employees', () => EmployeeFactory)
  .relation('services', () => ServiceFactory)
  .build()
