import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Invoice from '#models/invoice'

export type ReminderStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled'

/** One payment reminder: an invoice at one step of the dunning schedule (unique invoice_id + step). */
export default class DunningReminder extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare invoiceId: number

  @column()
  declare step: number

  @column()
  declare daysAfterDue: number

  @column()
  declare toAddress: string

  @column()
  declare status: ReminderStatus

  @column()
  declare attempts: number

  @column()
  declare balanceMinor: number

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
