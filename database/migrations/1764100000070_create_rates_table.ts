import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'rates'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('tariff_id')
        .unsigned()
        .notNullable()
        .references('tariffs.id')
        .onDelete('CASCADE')
      table.string('prefix', 24).notNullable()
      table.string('destination', 120).notNullable()
      table.string('category', 32).notNullable()
      // Prices per minute (voice), per MB (data) or per message, in millionths of the currency unit.
      table.bigInteger('peak_micros').notNullable().defaultTo(0)
      table.bigInteger('offpeak_micros').notNullable().defaultTo(0)
      table.bigInteger('weekend_micros').notNullable().defaultTo(0)
      table.bigInteger('connection_micros').notNullable().defaultTo(0)
      table.bigInteger('minimum_micros').notNullable().defaultTo(0)
      table.integer('initial_s').notNullable().defaultTo(60)
      table.integer('subsequent_s').notNullable().defaultTo(60)
      table.date('effective_from').notNullable()
      table.index(['tariff_id', 'prefix'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
