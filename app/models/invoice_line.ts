import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class InvoiceLine extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare invoiceId: number

  @column()
  declare employeeId: number | null

  @column()
  declare departmentId: number | null

  @column()
  declare serviceId: number | null

  @column()
  declare kind: 'usage' | 'recurring'

  /** YYYY-MM of late usage (records of a period before the invoice's); null otherwise. */
  @column()
  declare usagePeriod: string | null

  /** Recurring lines: the charge and the calendar month (YYYY-MM) the line bills; null on usage lines and on lines billed before these were recorded. */
  @column()
  declare recurringChargeId: number | null

  @column()
  declare recurringMonth: string | null

  /** Usage of an identifier with no service (unknown number): that identifier; null otherwise. */
  @column()
  declare identifier: string | null

  @column()
  declare category: string

  @column()
  declare description: string

  @column()
  declare quantity: number

  @column({ columnName: 'unit_price_e4' })
  declare unitPriceE4: number

  @column()
  declare amountMinor: number

  @column()
  declare taxRateBp: number

  /** UNCL5305 VAT category: S, Z, E or AE (reverse charge). */
  @column()
  declare vatCategory: 'S' | 'Z' | 'E' | 'AE'

  /** UN/ECE Rec 20 unit (MIN, C62, 4L) and the quantity in it, thousandths: what the e-invoice states. */
  @column()
  declare unitCode: string

  @column({ columnName: 'unit_quantity_e3' })
  declare unitQuantityE3: number | null
}
