import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Customer from '#models/customer'
import Assignment from '#models/assignment'

export const SERVICE_KINDS = ['mobile', 'ddi', 'extension', 'sim', 'm365_user', 'device'] as const
export type ServiceKind = (typeof SERVICE_KINDS)[number]

export default class Service extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare customerId: number

  @column()
  declare kind: ServiceKind

  /** E.164 for numbers, lower-case UPN for Microsoft 365 users. */
  @column()
  declare identifier: string

  @column()
  declare label: string | null

  @belongsTo(() => Customer)
  declare customer: BelongsTo<typeof Customer>

  @hasMany(() => Assignment)
  declare assignments: HasMany<typeof Assignment>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
