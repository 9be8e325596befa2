import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The codes a supplier's feed uses for a customer (Asterisk accountcode, UK Standard CDR
 * Customer Identifier, a profile's account column), where they differ from our account
 * number. connector_id null: the alias holds for every feed and for uploads.
 */
export default class extends BaseSchema {
  protected tableName = 'supplier_account_aliases'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      table
        .integer('connector_id')
        .unsigned()
        .nullable()
        .references('connectors.id')
        .onDelete('CASCADE')
      table.string('alias', 64).notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['alias'])
      table.index(['customer_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
