import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Invoice from '#models/invoice'

/** One invoice email and its chain of attempts. */
export default class Delivery extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare invoiceId: number

  @column()
  declare toAddress: string

  @column()
  declare status: 'queued' | 'sending' | 'sent' | 'failed'

  @column()
  declare attempts: number

  @column()
  declare messageId: string | null

  @column()
  declare lastError: string | null

  @column.dateTime()
  declare nextAttemptAt: DateTime | null

  @column.dateTime()
  declare sentAt: DateTime | null

  @belongsTo(() => Invoice)
  declare invoice: BelongsTo<typeof Invoice>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
