import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Recurring charges (licences, line rental, the MI add-on) per customer × month × department ×
 * employee × service × category, pro-rata by active days, beside monthly_rollups (which stays an
 * exact GROUP BY over usage_records). Insights add the two. 0 stands for "none".
 */
export default class extends BaseSchema {
  protected tableName = 'recurring_rollups'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.integer('customer_id').unsigned().notNullable()
      table.string('period', 7).notNullable()
      table.integer('department_id').unsigned().notNullable().defaultTo(0)
      table.integer('employee_id').unsigned().notNullable().defaultTo(0)
      table.integer('service_id').unsigned().notNullable().defaultTo(0)
      table.string('category', 32).notNullable()
      table.integer('charge_count').notNullable().defaultTo(0)
      table.bigInteger('cost_e4').notNullable().defaultTo(0)
      table.bigInteger('price_e4').notNullable().defaultTo(0)
      table.unique(
        ['customer_id', 'period', 'department_id', 'employee_id', 'service_id', 'category'],
        { indexName: 'recurring_rollups_key' }
      )
      table.index(['customer_id', 'employee_id', 'period'], 'recurring_rollups_employee')
      table.index(['customer_id', 'id'], 'recurring_rollups_customer_newest')
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
