import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Re-rating history (app/rating/rerate_history.ts): one `rerates` row per rating pass that changed
 * an already-rated record (a tariff fix, a mapping change, an import), and one `rerate_changes` row
 * per changed record with the old and new price, rate, band, allowance and status and why it changed.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('rerates', (table) => {
      table.increments('id')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      table.string('period', 7).notNullable()
      table.string('reason', 200).notNullable()
      table.integer('user_id').unsigned().nullable()
      table.integer('records').notNullable().defaultTo(0)
      table.integer('changed').notNullable().defaultTo(0)
      table.bigInteger('old_total_e4').notNullable().defaultTo(0)
      table.bigInteger('new_total_e4').notNullable().defaultTo(0)
      table.index(['customer_id', 'period'])
      table.timestamp('created_at').notNullable()
    })
    this.schema.createTable('rerate_changes', (table) => {
      table.bigIncrements('id')
      table
        .integer('rerate_id')
        .unsigned()
        .notNullable()
        .references('rerates.id')
        .onDelete('CASCADE')
      table.bigInteger('usage_record_id').unsigned().notNullable()
      table.string('identifier', 254).notNullable()
      table.string('destination', 64).nullable()
      table.string('destination_name', 120).nullable()
      table.string('category', 32).notNullable()
      table.timestamp('occurred_at').notNullable()
      table.bigInteger('old_price_e4').nullable()
      table.bigInteger('new_price_e4').nullable()
      table.integer('old_rate_id').unsigned().nullable()
      table.integer('new_rate_id').unsigned().nullable()
      table.string('old_band', 8).nullable()
      table.string('new_band', 8).nullable()
      table.bigInteger('old_allowance_used').notNullable().defaultTo(0)
      table.bigInteger('new_allowance_used').notNullable().defaultTo(0)
      table.string('old_status', 16).notNullable()
      table.string('new_status', 16).notNullable()
      // rate | price | allowance | tariff | rated | unrated
      table.string('reason', 16).notNullable()
      table.index(['rerate_id', 'reason'])
      table.index(['usage_record_id'])
    })
  }

  async down() {
    this.schema.dropTable('rerate_changes')
    this.schema.dropTable('rerates')
  }
}
