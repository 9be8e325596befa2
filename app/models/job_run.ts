import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { jsonColumn } from '#lib/json_column'

export default class JobRun extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare job: string

  @column()
  declare runKey: string | null

  @column()
  declare status: 'running' | 'succeeded' | 'failed'

  @column()
  declare worker: string | null

  @column(jsonColumn)
  declare detail: Record<string, any> | null

  @column()
  declare error: string | null

  @column.dateTime()
  declare startedAt: DateTime

  @column.dateTime()
  declare finishedAt: DateTime | null
}
