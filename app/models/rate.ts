import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Tariff from '#models/tariff'

/** One rate deck row. Prices are in millionths of the currency unit. */
export default class Rate extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare tariffId: number

  @column()
  declare prefix: string

  @column()
  declare destination: string

  @column()
  declare category: string

  @column()
  declare peakMicros: number

  @column()
  declare offpeakMicros: number

  @column()
  declare weekendMicros: number

  @column()
  declare connectionMicros: number

  @column()
  declare minimumMicros: number

  @column()
  declare initialS: number

  @column()
  declare subsequentS: number

  @column.date()
  declare effectiveFrom: DateTime

  @belongsTo(() => Tariff)
  declare tariff: BelongsTo<typeof Tariff>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
