import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasOne } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasOne } from '@adonisjs/lucid/types/relations'
import Invoice from '#models/invoice'
import Delivery from '#models/delivery'

export default class CreditNote extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare invoiceId: number

  @column()
  declare number: string

  @column()
  declare reason: string

  @column()
  declare subtotalMinor: number

  @column()
  declare taxMinor: number

  @column()
  declare totalMinor: number

  @column.date()
  declare issueDate: DateTime

  @column()
  declare pdfPath: string | null

  @belongsTo(() => Invoice)
  declare invoice: BelongsTo<typeof Invoice>

  /** Its email to the customer (at most one, unique credit_note_id). */
  @hasOne(() => Delivery)
  declare delivery: HasOne<typeof Delivery>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
