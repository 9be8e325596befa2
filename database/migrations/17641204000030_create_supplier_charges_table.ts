import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Service charges a supplier bills the reseller (rentals, one-off charges, credits) as
 * read from its files: supplier-cost lines for reconciliation, never billed to customers
 * by themselves. One row per charge line, stored once per source (dedupe key).
 */
export default class extends BaseSchema {
  protected tableName = 'supplier_charges'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.integer('import_id').unsigned().nullable().references('imports.id').onDelete('SET NULL')
      table.integer('connector_id').unsigned().nullable()
      // The customer the file was imported for (reseller-wide imports: routed by `account`).
      table.integer('customer_id').unsigned().nullable()
      table.string('source', 64).notNullable()
      table.string('dedupe_key', 128).notNullable()
      table.string('account', 100).nullable()
      table.string('identifier', 254).nullable()
      // rental | one_off | credit | other
      table.string('charge_type', 16).notNullable()
      table.string('charge_code', 32).nullable()
      table.string('description', 255).nullable()
      table.date('starts_on').nullable()
      table.date('ends_on').nullable()
      table.integer('quantity').notNullable().defaultTo(1)
      table.bigInteger('cost_e4').notNullable()
      table.string('currency', 3).notNullable().defaultTo('GBP')
      table.timestamp('created_at').notNullable()
      table.unique(['source', 'dedupe_key'])
      table.index(['customer_id', 'starts_on'])
      table.index(['account'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
