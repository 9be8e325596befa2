import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Customer from '#models/customer'
import Employee from '#models/employee'
import Service from '#models/service'

export type RatingStatus = 'pending' | 'rated' | 'markup' | 'unrated'

/** One chargeable event or snapshot. Money is in ten-thousandths (4 dp). */
export default class UsageRecord extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare customerId: number

  @column()
  declare source: string

  @column()
  declare dedupeKey: string

  @column()
  declare importId: number | null

  @column()
  declare serviceId: number | null

  @column()
  declare employeeId: number | null

  @column()
  declare departmentId: number | null

  @column()
  declare identifier: string

  @column.dateTime()
  declare occurredAt: DateTime

  @column()
  declare period: string

  @column()
  declare category: string

  @column()
  declare destination: string | null

  @column()
  declare destinationName: string | null

  @column()
  declare durationS: number

  @column()
  declare volumeBytes: number

  @column()
  declare quantity: number

  @column()
  declare description: string | null

  @column({ columnName: 'cost_e4' })
  declare costE4: number | null

  @column({ columnName: 'price_e4' })
  declare priceE4: number | null

  @column()
  declare tariffId: number | null

  @column()
  declare rateId: number | null

  @column()
  declare allowanceUsed: number

  @column()
  declare ratingStatus: RatingStatus

  @column()
  declare unratedReason: string | null

  @column()
  declare invoiceId: number | null

  @belongsTo(() => Customer)
  declare customer: BelongsTo<typeof Customer>

  @belongsTo(() => Employee)
  declare employee: BelongsTo<typeof Employee>

  @belongsTo(() => Service)
  declare service: BelongsTo<typeof Service>
}
