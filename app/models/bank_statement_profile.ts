import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** Which column of a bank's statement CSV holds which field, and how dates are written. */
export default class BankStatementProfile extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare dateColumn: string

  @column()
  declare amountColumn: string

  @column()
  declare referenceColumn: string

  @column()
  declare descriptionColumn: string | null

  @column()
  declare dateFormat: string

  @column()
  declare delimiter: string

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
