import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** Part (or all) of a credit note settling one invoice (its own, or another of the customer's). */
export default class CreditNoteApplication extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare creditNoteId: number

  @column()
  declare invoiceId: number

  @column()
  declare amountMinor: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
