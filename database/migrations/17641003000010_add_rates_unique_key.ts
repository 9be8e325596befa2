import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * One row per (tariff, prefix, category, effective date): deck imports upsert on
 * this key, so re-importing a deck updates rates in place and keeps their ids.
 */
export default class extends BaseSchema {
  protected tableName = 'rates'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.unique(['tariff_id', 'prefix', 'category', 'effective_from'], {
        indexName: 'rates_tariff_prefix_category_effective_unique',
      })
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropUnique(
        ['tariff_id', 'prefix', 'category', 'effective_from'],
        'rates_tariff_prefix_category_effective_unique'
      )
    })
  }
}
