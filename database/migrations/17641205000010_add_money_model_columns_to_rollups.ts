import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * One money model (docs/insights.md):
 * - recurring_rollups.price_minor: the cell's charges each rounded to minor units first, then summed,
 *   as an invoice bills one line per charge and month; insights read it so an unbilled month shows
 *   what the draft would bill to the penny.
 * - monthly_rollups.uncosted_count / uncosted_price_e4: usage records that carry no supplier cost, so
 *   margin is computed over costed records only and the rest is shown as "no cost", never as 100 %.
 * - destination_rollups: usage per customer × month × category × destination for margin by destination.
 * Existing rows get their values from `node ace rollups:rebuild` (readers fall back meanwhile).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('recurring_rollups', (table) => {
      table.bigInteger('price_minor').nullable()
    })
    this.schema.alterTable('monthly_rollups', (table) => {
      table.integer('uncosted_count').notNullable().defaultTo(0)
      table.bigInteger('uncosted_price_e4').notNullable().defaultTo(0)
    })
    this.schema.createTable('destination_rollups', (table) => {
      table.bigIncrements('id')
      table.integer('customer_id').unsigned().notNullable()
      table.string('period', 7).notNullable()
      table.string('category', 32).notNullable()
      // destination_name, else the dialled prefix/destination, else '' (data, messages …)
      table.string('destination', 120).notNullable().defaultTo('')
      table.integer('record_count').notNullable().defaultTo(0)
      table.bigInteger('cost_e4').notNullable().defaultTo(0)
      table.bigInteger('price_e4').notNullable().defaultTo(0)
      table.integer('uncosted_count').notNullable().defaultTo(0)
      table.bigInteger('uncosted_price_e4').notNullable().defaultTo(0)
      table.index(['customer_id', 'period'], 'destination_rollups_customer_period')
    })
  }

  async down() {
    this.schema.dropTable('destination_rollups')
    this.schema.alterTable('monthly_rollups', (table) => {
      table.dropColumn('uncosted_price_e4')
      table.dropColumn('uncosted_count')
    })
    this.schema.alterTable('recurring_rollups', (table) => {
      table.dropColumn('price_minor')
    })
  }
}
