import factory from '@adonisjs/lucid/factories'
import Employee from '#models/employee'
import { uniqueSuffix } from './sequence.js'
import { CustomerFactory } from './customer_factory.js'
import { DepartmentFactory } from './department_factory.js'

/** An active employee with no department, e-mail or number unless given. */
export const EmployeeFactory = factory
  .define(Employee, () => ({
    name: `Employee ${uniqueSuffix()}`,
    departmentId: null,
    email: null,
    employeeNumber: null,
    active: true,
  }))
  .relation('customer', () => CustomerFactory)
  .relation('department', () => DepartmentFactory)
  .build()
