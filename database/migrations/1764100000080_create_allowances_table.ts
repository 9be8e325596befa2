import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'allowances'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('tariff_id')
        .unsigned()
        .notNullable()
        .references('tariffs.id')
        .onDelete('CASCADE')
      table.string('name', 120).notNullable()
      // Comma-separated usage categories the allowance covers.
      table.string('categories', 255).notNullable()
      // seconds | kilobytes | messages
      table.string('unit', 16).notNullable()
      table.bigInteger('quantity').notNullable()
      // service | pooled
      table.string('scope', 16).notNullable().defaultTo('service')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
