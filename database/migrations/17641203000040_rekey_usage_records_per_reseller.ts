import { BaseSchema } from '@adonisjs/lucid/schema'
import { rekeyUsage } from '#connectors/dedupe_rekey'

/**
 * Every call stored once, whatever the route: dedupe keys become per reseller (unique on
 * their own, no longer per source). Existing records are re-keyed first (rekeyUsage);
 * calls that were stored twice are resolved and listed in usage_rekey_report
 * (`node ace usage:duplicates`, and the imports page) so credit notes can be raised.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('usage_rekey_report', (table) => {
      table.increments('id')
      // removed: an unbilled second copy, deleted; billed_twice: both copies are on invoices.
      table.string('kind', 16).notNullable()
      table.bigInteger('record_id').notNullable()
      table.bigInteger('survivor_id').notNullable()
      table.integer('customer_id').unsigned().notNullable()
      table.integer('survivor_customer_id').unsigned().notNullable()
      table.integer('invoice_id').unsigned().nullable()
      table.integer('survivor_invoice_id').unsigned().nullable()
      table.string('dedupe_key', 128).notNullable()
      table.string('identifier', 254).notNullable()
      table.timestamp('occurred_at').notNullable()
      table.string('period', 7).notNullable()
      table.bigInteger('price_e4').nullable()
      // When the rollups of a removed copy's period were refreshed (usage:duplicates does it).
      table.timestamp('refreshed_at').nullable()
      table.timestamp('created_at').notNullable()
      table.index(['kind'])
    })
    this.defer(async (db) => {
      const outcome = await rekeyUsage(db)
      if (outcome.rekeyed || outcome.removed || outcome.billedTwice) {
        console.log(
          `usage records re-keyed per reseller: ${outcome.rekeyed} re-keyed, ${outcome.removed} unbilled second copies removed, ` +
            `${outcome.billedTwice} calls billed twice (node ace usage:duplicates lists them), ${outcome.keptApart} distinct calls kept apart`
        )
      }
    })
    this.schema.alterTable('usage_records', (table) => {
      table.dropUnique(['source', 'dedupe_key'])
      table.unique(['dedupe_key'])
    })
  }

  async down() {
    this.schema.alterTable('usage_records', (table) => {
      table.dropUnique(['dedupe_key'])
      table.unique(['source', 'dedupe_key'])
    })
    this.schema.dropTable('usage_rekey_report')
  }
}
