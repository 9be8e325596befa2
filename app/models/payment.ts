import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Customer from '#models/customer'
import PaymentAllocation from '#models/payment_allocation'

export type PaymentMethod = 'bank_transfer' | 'card' | 'cheque' | 'cash' | 'direct_debit' | 'other'
export type PaymentSource = 'manual' | 'bank_statement' | 'direct_debit'

/** Money received from a customer, in minor units. What is not allocated to invoices is account credit. */
export default class Payment extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare customerId: number

  @column.date()
  declare receivedOn: DateTime

  @column()
  declare amountMinor: number

  @column()
  declare currency: string

  @column()
  declare method: PaymentMethod

  @column()
  declare reference: string | null

  @column()
  declare note: string | null

  @column()
  declare source: PaymentSource

  @column()
  declare userId: number | null

  @belongsTo(() => Customer)
  declare customer: BelongsTo<typeof Customer>

  @hasMany(() => PaymentAllocation)
  declare allocations: HasMany<typeof PaymentAllocation>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
