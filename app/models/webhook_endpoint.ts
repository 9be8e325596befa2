import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { jsonColumn } from '#lib/json_column'

export default class WebhookEndpoint extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare url: string

  @column()
  declare description: string | null

  /** The signing secret, encrypted with the app key; shown to a person once, never serialised. */
  @column({ serializeAs: null })
  declare secretEncrypted: string

  @column(jsonColumn)
  declare events: string[]

  @column({ consume: (value) => Boolean(value) })
  declare active: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
