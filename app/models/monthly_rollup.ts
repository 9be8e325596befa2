import { BaseModel, column } from '@adonisjs/lucid/orm'

/** Sums of usage records per customer × period × department × employee × service × category; 0 = none. */
export default class MonthlyRollup extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare customerId: number

  @column()
  declare period: string

  @column()
  declare departmentId: number

  @column()
  declare employeeId: number

  @column()
  declare serviceId: number

  @column()
  declare category: string

  @column()
  declare recordCount: number

  @column()
  declare durationS: number

  @column()
  declare volumeBytes: number

  @column({ columnName: 'cost_e4' })
  declare costE4: number

  @column({ columnName: 'price_e4' })
  declare priceE4: number
}
