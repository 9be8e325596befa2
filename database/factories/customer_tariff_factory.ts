import factory from '@adonisjs/lucid/factories'
import { DateTime } from 'luxon'
import CustomerTariff from '#models/customer_tariff'
import { CustomerFactory } from './customer_factory.js'
import { TariffFactory } from './tariff_factory.js'

/** A customer on a tariff from 1 January 2026, open-ended. */
export const CustomerTariffFactory = factory
  .define(CustomerTariff, () => ({
    startsOn: DateTime.fromISO('2026-01-01'),
    endsOn: null,
  }))
  .relation('customer', () => CustomerFactory)
  .relation('tariff', () => TariffFactory)
  .build()
