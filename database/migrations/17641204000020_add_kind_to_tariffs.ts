import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A tariff is a sell deck (what customers pay) or a buy deck (what a supplier charges
 * the reseller): records without a supplier cost get their cost from their connector's
 * buy deck by the same rating rules.
 */
export default class extends BaseSchema {
  protected tableName = 'tariffs'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.string('kind', 8).notNullable().defaultTo('sell')
      table.string('supplier', 120).nullable()
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropColumn('kind')
      table.dropColumn('supplier')
    })
  }
}
