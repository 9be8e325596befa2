import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Usage of an identifier that matches no service (an unknown number) is billed as one line per
 * identifier; `identifier` keeps it so the invoice's unallocated section can list each identifier
 * with its subtotal. NULL on every other line (those name their service through service_id).
 */
export default class extends BaseSchema {
  protected tableName = 'invoice_lines'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.string('identifier', 254).nullable()
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropColumn('identifier')
    })
  }
}
