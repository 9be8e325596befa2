import factory from '@adonisjs/lucid/factories'
import Service from '#models/service'
import { CustomerFactory } from './customer_factory.js'

let mobile = 0

/** A mobile number (+4477009 0xxxx, unique within the run) with no label. */
export const ServiceFactory = factory
  .define(Service, () => ({
    kind: 'mobile' as Service['kind'],
    identifier: `+4477009${String(10000 + (mobile++ % 90000)).padStart(5, '0')}`,
    label: null,
  }))
  .relation('customer', () => CustomerFactory)
  .build()
