import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class ImportError extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare importId: number

  @column()
  declare line: number

  @column()
  declare field: string | null

  @column()
  declare message: string

  @column()
  declare raw: string | null
}
