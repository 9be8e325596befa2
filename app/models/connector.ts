import { DateTime } from 'luxon'
import encryption from '@adonisjs/core/services/encryption'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Customer from '#models/customer'
import { jsonColumn } from '#lib/json_column'

export default class Connector extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare type: string

  @column()
  declare transport: string

  @column()
  declare customerId: number | null

  /** Non-secret settings: paths, hosts, mapping profile name, tenant id. */
  @column(jsonColumn)
  declare settings: Record<string, any> | null

  @column({ serializeAs: null })
  declare credentialsEncrypted: string | null

  @column()
  declare schedule: string | null

  @column({ consume: (v) => Boolean(v) })
  declare enabled: boolean

  @column.dateTime()
  declare lastPolledAt: DateTime | null

  @column()
  declare lastStatus: string | null

  @column()
  declare lastError: string | null

  @belongsTo(() => Customer)
  declare customer: BelongsTo<typeof Customer>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  /** Credentials are encrypted with the app key and never serialised. */
  get credentials(): Record<string, string> {
    if (!this.credentialsEncrypted) return {}
    return encryption.decrypt<Record<string, string>>(this.credentialsEncrypted) ?? {}
  }

  set credentials(value: Record<string, string>) {
    this.credentialsEncrypted = encryption.encrypt(value)
  }

  get hasCredentials() {
    return Boolean(this.credentialsEncrypted)
  }
}
