import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'imports'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('connector_id')
        .unsigned()
        .nullable()
        .references('connectors.id')
        .onDelete('SET NULL')
      table
        .integer('customer_id')
        .unsigned()
        .nullable()
        .references('customers.id')
        .onDelete('CASCADE')
      table.string('source_name', 255).notNullable()
      table.string('format', 64).notNullable()
      table.string('sha256', 64).notNullable()
      table.string('raw_path', 255).nullable()
      // pending | running | completed | failed | skipped
      table.string('status', 16).notNullable().defaultTo('pending')
      table.integer('rows_read').notNullable().defaultTo(0)
      table.integer('rows_imported').notNullable().defaultTo(0)
      table.integer('rows_duplicate').notNullable().defaultTo(0)
      table.integer('rows_rejected').notNullable().defaultTo(0)
      table.integer('progress_pct').notNullable().defaultTo(0)
      table.text('error_message').nullable()
      table.timestamp('started_at').nullable()
      table.timestamp('finished_at').nullable()
      table.index(['sha256'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
