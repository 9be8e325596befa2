import factory from '@adonisjs/lucid/factories'
import Tariff from '#models/tariff'
import { uniqueSuffix } from './sequence.js'
import { RateFactory } from './rate_factory.js'

/** A GBP sell tariff without markup. */
export const TariffFactory = factory
  .define(Tariff, () => ({
    name: `Tariff ${uniqueSuffix()}`,
    currency: 'GBP',
    defaultMarkupBp: 0,
    description: null,
    kind: 'sell' as const,
    supplier: null,
  }))
  .relation('rates', () => RateFactory)
  .build()
