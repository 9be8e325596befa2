import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Invoice from '#models/invoice'
import Payment from '#models/payment'

/** Part (or all) of a payment settling one invoice. */
export default class PaymentAllocation extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare paymentId: number

  @column()
  declare invoiceId: number

  @column()
  declare amountMinor: number

  @belongsTo(() => Payment)
  declare payment: BelongsTo<typeof Payment>

  @belongsTo(() => Invoice)
  declare invoice: BelongsTo<typeof Invoice>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
