import { BaseSchema } from '@adonisjs/lucid/schema'
import { parseFreeAddress } from '#einvoice/address_parse'

/**
 * What UBL 2.1 / Peppol BIS Billing 3.0 needs that the data model lacked:
 * - customers: buyer reference, PO number, a structured postal address with an ISO country
 *   code, the Peppol electronic address (scheme + id), the default VAT category and whether
 *   the invoice email carries the UBL file. Existing free-text addresses are parsed into the
 *   structured fields and marked `address_needs_review` for a person to confirm;
 * - invoice_lines: the VAT category (S, Z, E, AE) and the UN/ECE Rec 20 unit code with the
 *   quantity in that unit (thousandths), so an e-invoice line says "12.5 MIN";
 * - customer_vat_rules: a charge category billed at another VAT category/rate than the
 *   customer's default, which is how one invoice carries several VAT rates.
 * Existing lines and customers at 0% become category Z, every other S: totals do not change.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('customers', (table) => {
      table.string('buyer_reference', 200).nullable()
      table.string('po_number', 200).nullable()
      table.string('address_street', 200).nullable()
      table.string('address_additional', 200).nullable()
      table.string('address_city', 100).nullable()
      table.string('address_postcode', 20).nullable()
      table.string('address_region', 100).nullable()
      table.string('address_country', 2).nullable()
      table.boolean('address_needs_review').notNullable().defaultTo(false)
      table.string('endpoint_scheme', 4).nullable()
      table.string('endpoint_id', 100).nullable()
      table.string('vat_category', 2).notNullable().defaultTo('S')
      table.boolean('attach_ubl').notNullable().defaultTo(false)
    })
    this.schema.alterTable('invoice_lines', (table) => {
      table.string('vat_category', 2).notNullable().defaultTo('S')
      table.string('unit_code', 3).notNullable().defaultTo('C62')
      table.bigInteger('unit_quantity_e3').nullable()
    })
    this.schema.createTable('customer_vat_rules', (table) => {
      table.increments('id')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      table.string('category', 32).notNullable()
      table.string('vat_category', 2).notNullable()
      table.integer('tax_rate_bp').notNullable()
      table.unique(['customer_id', 'category'])
      table.timestamp('created_at').nullable()
      table.timestamp('updated_at').nullable()
    })
    this.defer(async (db) => {
      await db.from('customers').where('tax_rate_bp', 0).update({ vat_category: 'Z' })
      await db.from('invoice_lines').where('tax_rate_bp', 0).update({ vat_category: 'Z' })
      const rows = await db.from('customers').whereNotNull('address').select('id', 'address')
      for (const row of rows) {
        const parsed = parseFreeAddress(String(row.address))
        if (!parsed) continue
        await db.from('customers').where('id', row.id).update({
          address_street: parsed.street,
          address_additional: parsed.additional,
          address_city: parsed.city,
          address_postcode: parsed.postcode,
          address_region: parsed.region,
          address_country: parsed.country,
          address_needs_review: true,
        })
      }
    })
  }

  async down() {
    this.schema.dropTable('customer_vat_rules')
    this.schema.alterTable('invoice_lines', (table) => {
      table.dropColumn('vat_category')
      table.dropColumn('unit_code')
      table.dropColumn('unit_quantity_e3')
    })
    this.schema.alterTable('customers', (table) => {
      for (const c of [
        'buyer_reference',
        'po_number',
        'address_street',
        'address_additional',
        'address_city',
        'address_postcode',
        'address_region',
        'address_country',
        'address_needs_review',
        'endpoint_scheme',
        'endpoint_id',
        'vat_category',
        'attach_ubl',
      ])
        table.dropColumn(c)
    })
  }
}
