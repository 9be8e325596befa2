import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Invoice from '#models/invoice'
import CreditNote from '#models/credit_note'

export type DeliveryDocumentType = 'invoice' | 'credit_note'

/**
 * One document email (an invoice or a credit note) and its chain of attempts.
 * Exactly one of invoiceId / creditNoteId is set, as documentType says.
 */
export default class Delivery extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare documentType: DeliveryDocumentType

  @column()
  declare invoiceId: number | null

  @column()
  declare creditNoteId: number | null

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

  @belongsTo(() => CreditNote)
  declare creditNote: BelongsTo<typeof CreditNote>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
