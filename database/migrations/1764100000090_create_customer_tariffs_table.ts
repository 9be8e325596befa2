import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'customer_tariffs'

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
        .integer('tariff_id')
        .unsigned()
        .notNullable()
        .references('tariffs.id')
        .onDelete('CASCADE')
      table.date('starts_on').notNullable()
      table.date('ends_on').nullable()
      table.index(['customer_id', 'starts_on'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
