import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Records of a reseller-wide feed whose service belongs to no customer yet (the unknown
 * services queue). They are never billed; assigning the identifier moves them to
 * usage_records. dedupe_key is the same per-reseller key as usage_records'.
 */
export default class extends BaseSchema {
  protected tableName = 'unknown_usage_records'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.string('source', 64).notNullable()
      table.string('dedupe_key', 128).notNullable().unique()
      table.integer('import_id').unsigned().nullable()
      table.integer('connector_id').unsigned().nullable()
      table.string('identifier', 254).notNullable()
      table.timestamp('occurred_at').notNullable()
      // YYYY-MM in the reseller's zone; recomputed in the customer's zone when the record moves.
      table.string('period', 7).notNullable()
      table.string('category', 32).notNullable()
      table.string('destination', 64).nullable()
      table.integer('duration_s').notNullable().defaultTo(0)
      table.bigInteger('volume_bytes').notNullable().defaultTo(0)
      table.integer('quantity').notNullable().defaultTo(1)
      table.string('description', 255).nullable()
      table.bigInteger('cost_e4').nullable()
      table.index(['identifier', 'occurred_at'])
      table.index(['import_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
