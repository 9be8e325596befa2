import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The supplier's own invoice total per connector and month, for three-way reconciliation
 * (app/reconciliation): entered by hand, or summed from a supplier bill CSV. One per (connector, period).
 */
export default class extends BaseSchema {
  protected tableName = 'supplier_bills'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('connector_id')
        .unsigned()
        .notNullable()
        .references('connectors.id')
        .onDelete('CASCADE')
      table.string('period', 7).notNullable()
      table.bigInteger('total_minor').notNullable()
      // manual | csv
      table.string('source', 16).notNullable()
      table.string('file_name', 255).nullable()
      table.integer('lines').notNullable().defaultTo(0)
      table.integer('entered_by').unsigned().nullable()
      table.unique(['connector_id', 'period'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
