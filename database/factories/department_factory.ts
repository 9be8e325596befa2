import factory from '@adonisjs/lucid/factories'
import Department from '#models/department'
import { CustomerFactory } from './customer_factory.js'

export const DepartmentFactory = factory
  .define(Department, () => ({ name: 'Sales', costCentre: null }))
  .relation('customer', () => CustomerFactory)
  .build()
