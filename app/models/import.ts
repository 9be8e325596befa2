import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Connector from '#models/connector'
import Customer from '#models/customer'
import ImportError from '#models/import_error'

export default class Import extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare connectorId: number | null

  @column()
  declare customerId: number | null

  @column()
  declare sourceName: string

  @column()
  declare format: string

  @column({ columnName: 'sha256' })
  declare sha256: string

  @column()
  declare rawPath: string | null

  @column()
  declare status: 'pending' | 'running' | 'completed' | 'failed' | 'skipped'

  @column()
  declare rowsRead: number

  @column()
  declare rowsImported: number

  @column()
  declare rowsDuplicate: number

  @column()
  declare rowsRejected: number

  @column()
  declare progressPct: number

  @column()
  declare errorMessage: string | null

  @column.dateTime()
  declare startedAt: DateTime | null

  @column.dateTime()
  declare finishedAt: DateTime | null

  @belongsTo(() => Connector)
  declare connector: BelongsTo<typeof Connector>

  @belongsTo(() => Customer)
  declare customer: BelongsTo<typeof Customer>

  @hasMany(() => ImportError)
  declare errors: HasMany<typeof ImportError>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
