import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export type StatementLineStatus = 'matched' | 'unmatched' | 'allocated' | 'ignored'

/** One line of a bank statement: matched to an invoice at import, or waiting in the unmatched queue. */
export default class BankStatementLine extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare importId: number

  @column()
  declare lineNumber: number

  @column.date()
  declare bookedOn: DateTime

  @column()
  declare amountMinor: number

  @column()
  declare reference: string

  @column()
  declare description: string

  @column()
  declare dedupeKey: string

  @column()
  declare status: StatementLineStatus

  @column()
  declare paymentId: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
