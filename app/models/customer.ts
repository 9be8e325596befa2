import { DateTime } from 'luxon'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import Department from '#models/department'
import Employee from '#models/employee'
import Service from '#models/service'

export default class Customer extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare accountNumber: string

  @column()
  declare name: string

  @column()
  declare billingEmail: string | null

  @column()
  declare billingContacts: string | null

  @column()
  declare address: string | null

  @column()
  declare vatNumber: string | null

  /** Basis points: 2000 = 20%. */
  @column()
  declare taxRateBp: number

  @column()
  declare currency: string

  @column()
  declare timeZone: string

  @column()
  declare paymentTermsDays: number

  @column()
  declare billDay: number

  @column()
  declare recurringBilling: 'advance' | 'arrears'

  @column({ consume: (v) => Boolean(v) })
  declare itemiseCalls: boolean

  @column({ consume: (v) => Boolean(v) })
  declare miAddon: boolean

  /** Invoice layout, a key of INVOICE_TEMPLATES (app/lib/invoice_templates.ts). */
  @column()
  declare invoiceTemplate: string

  /** Bill-shock alerts also go to the customer's billing email (app/billing/bill_shock.ts). */
  @column({ consume: (v) => Boolean(v) })
  declare billShockNotifyCustomer: boolean
  /** Set by dunning after its last step (when the setting asks); the portal is refused meanwhile. */
  @column.dateTime()
  declare portalSuspendedAt: DateTime | null

  /** E-invoicing (app/einvoice/customer_details.ts): references, structured address, Peppol address. */
  @column()
  declare buyerReference: string | null

  @column()
  declare poNumber: string | null

  @column()
  declare addressStreet: string | null

  @column()
  declare addressAdditional: string | null

  @column()
  declare addressCity: string | null

  @column()
  declare addressPostcode: string | null

  @column()
  declare addressRegion: string | null

  /** ISO 3166-1 alpha-2. */
  @column()
  declare addressCountry: string | null

  /** Set when the structured address was guessed from the free text and nobody confirmed it yet. */
  @column({ consume: (v) => Boolean(v) })
  declare addressNeedsReview: boolean

  @column()
  declare endpointScheme: string | null

  @column()
  declare endpointId: string | null

  /** Default VAT category of the customer's lines: S (at taxRateBp), Z, E or AE (0%). */
  @column()
  declare vatCategory: 'S' | 'Z' | 'E' | 'AE'

  /** The invoice and credit note emails also carry the UBL file. */
  @column({ consume: (v) => Boolean(v) })
  declare attachUbl: boolean

  @hasMany(() => Department)
  declare departments: HasMany<typeof Department>

  @hasMany(() => Employee)
  declare employees: HasMany<typeof Employee>

  @hasMany(() => Service)
  declare services: HasMany<typeof Service>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
