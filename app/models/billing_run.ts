import { DateTime } from 'luxon'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import Invoice from '#models/invoice'
import { jsonColumn } from '#lib/json_column'

export default class BillingRun extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare period: string

  @column()
  declare status: 'draft' | 'finalized' | 'cancelled'

  @column(jsonColumn)
  declare customerIds: number[] | null

  @column()
  declare createdBy: number | null

  @column.dateTime()
  declare finalizedAt: DateTime | null

  @hasMany(() => Invoice)
  declare invoices: HasMany<typeof Invoice>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
