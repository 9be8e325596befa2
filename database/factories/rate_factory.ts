import factory from '@adonisjs/lucid/factories'
import { DateTime } from 'luxon'
import Rate from '#models/rate'

/** A flat voice rate (10p a minute at every time band, per-minute billing) from 1 January 2026. */
export const RateFactory = factory
  .define(Rate, () => ({
    prefix: '44',
    destination: 'Dest 44',
    category: 'voice',
    peakMicros: 100_000,
    offpeakMicros: 100_000,
    weekendMicros: 100_000,
    connectionMicros: 0,
    minimumMicros: 0,
    initialS: 60,
    subsequentS: 60,
    effectiveFrom: DateTime.fromISO('2026-01-01'),
  }))
  .build()
