import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * (customer_id) alone — with InnoDB's implicit primary key suffix, (customer_id, id) — makes
 * "newest rollup id of a customer" a single index dive. Insights use it to revalidate cached
 * dashboards on every request without scanning the customer's rollups.
 */
export default class extends BaseSchema {
  protected tableName = 'monthly_rollups'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.index(['customer_id', 'id'], 'monthly_rollups_customer_newest')
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropIndex(['customer_id', 'id'], 'monthly_rollups_customer_newest')
    })
  }
}
