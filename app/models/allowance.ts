import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Tariff from '#models/tariff'

export default class Allowance extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare tariffId: number

  @column()
  declare name: string

  /** Comma-separated usage categories. */
  @column()
  declare categories: string

  @column()
  declare unit: 'seconds' | 'kilobytes' | 'messages'

  @column()
  declare quantity: number

  @column()
  declare scope: 'service' | 'pooled'

  @belongsTo(() => Tariff)
  declare tariff: BelongsTo<typeof Tariff>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
