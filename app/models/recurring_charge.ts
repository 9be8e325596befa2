import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Customer from '#models/customer'
import Employee from '#models/employee'
import Service from '#models/service'

/** A monthly per-unit charge over [startsOn, endsOn]; money in ten-thousandths. */
export default class RecurringCharge extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare customerId: number

  @column()
  declare employeeId: number | null

  @column()
  declare serviceId: number | null

  @column()
  declare description: string

  @column()
  declare category: string

  @column()
  declare quantity: number

  @column({ columnName: 'unit_price_e4' })
  declare unitPriceE4: number

  @column({ columnName: 'unit_cost_e4' })
  declare unitCostE4: number

  @column.date()
  declare startsOn: DateTime

  @column.date()
  declare endsOn: DateTime | null

  @column()
  declare origin: 'manual' | 'm365' | 'mi_addon'

  @column()
  declare externalRef: string | null

  @belongsTo(() => Customer)
  declare customer: BelongsTo<typeof Customer>

  @belongsTo(() => Employee)
  declare employee: BelongsTo<typeof Employee>

  @belongsTo(() => Service)
  declare service: BelongsTo<typeof Service>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
