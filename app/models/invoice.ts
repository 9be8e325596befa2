import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany, hasOne } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany, HasOne } from '@adonisjs/lucid/types/relations'
import BillingRun from '#models/billing_run'
import Customer from '#models/customer'
import InvoiceLine from '#models/invoice_line'
import CreditNote from '#models/credit_note'
import Delivery from '#models/delivery'
import { jsonColumn } from '#lib/json_column'

/** Money in minor units (pence). A finalized invoice is never changed. */
export default class Invoice extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare billingRunId: number

  @column()
  declare customerId: number

  @column()
  declare period: string

  @column()
  declare number: string | null

  @column()
  declare status: 'draft' | 'finalized'

  @column.date()
  declare issueDate: DateTime | null

  @column.date()
  declare taxPoint: DateTime | null

  @column.date()
  declare dueDate: DateTime | null

  @column()
  declare currency: string

  @column()
  declare subtotalMinor: number

  @column()
  declare taxMinor: number

  @column()
  declare totalMinor: number

  @column()
  declare pdfPath: string | null

  @column({ columnName: 'pdf_sha256' })
  declare pdfSha256: string | null

  @column(jsonColumn)
  declare snapshot: Record<string, any> | null

  @belongsTo(() => BillingRun)
  declare billingRun: BelongsTo<typeof BillingRun>

  @belongsTo(() => Customer)
  declare customer: BelongsTo<typeof Customer>

  @hasMany(() => InvoiceLine)
  declare lines: HasMany<typeof InvoiceLine>

  @hasMany(() => CreditNote)
  declare creditNotes: HasMany<typeof CreditNote>

  @hasOne(() => Delivery)
  declare delivery: HasOne<typeof Delivery>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
