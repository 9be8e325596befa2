import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** The latest Microsoft 365 usage-report row for one user of a customer's tenant. */
export default class M365Activity extends BaseModel {
  static table = 'm365_activity'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare customerId: number

  @column()
  declare upn: string

  @column({ consume: (v) => Boolean(v) })
  declare concealed: boolean

  @column.date()
  declare reportRefreshDate: DateTime

  @column.date()
  declare lastActivityDate: DateTime | null

  @column()
  declare activeProducts: string | null

  @column()
  declare mailboxBytes: number

  @column()
  declare onedriveBytes: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
