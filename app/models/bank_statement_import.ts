import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class BankStatementImport extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare profileId: number | null

  @column()
  declare filename: string

  @column({ columnName: 'sha256' })
  declare sha256: string

  @column()
  declare lines: number

  @column()
  declare newLines: number

  @column()
  declare duplicates: number

  @column()
  declare matched: number

  @column()
  declare unmatched: number

  @column()
  declare userId: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
