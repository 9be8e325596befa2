import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** A charge category a customer is billed at another VAT category/rate than its default (app/einvoice/vat.ts). */
export default class CustomerVatRule extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare customerId: number

  @column()
  declare category: string

  @column()
  declare vatCategory: 'S' | 'Z' | 'E' | 'AE'

  /** Basis points; 0 unless the category is S. */
  @column()
  declare taxRateBp: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
