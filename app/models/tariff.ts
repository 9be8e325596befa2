import { DateTime } from 'luxon'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import Rate from '#models/rate'
import Allowance from '#models/allowance'

export default class Tariff extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare currency: string

  /** Applied to a record's supplier cost when no rate matches; basis points. */
  @column()
  declare defaultMarkupBp: number

  @column()
  declare description: string | null

  /** 'sell' (customers pay it) or 'buy' (a supplier's costs, set on connectors as buyTariff). */
  @column()
  declare kind: 'sell' | 'buy'

  @column()
  declare supplier: string | null

  @hasMany(() => Rate)
  declare rates: HasMany<typeof Rate>

  @hasMany(() => Allowance)
  declare allowances: HasMany<typeof Allowance>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
