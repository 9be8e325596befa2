import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Late usage: a billing run for period P also bills the customer's unbilled,
 * rated records of earlier periods. Such a line keeps the period its records
 * belong to in `usage_period` (YYYY-MM) so the invoice can label it; NULL for
 * usage of the invoice's own period and for recurring charges.
 */
export default class extends BaseSchema {
  protected tableName = 'invoice_lines'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.string('usage_period', 7).nullable()
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropColumn('usage_period')
    })
  }
}
