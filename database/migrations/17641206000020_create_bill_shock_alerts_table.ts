import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * One row per (customer, employee or 0 for the whole customer, month, threshold) crossed: the
 * insert is the claim, so an alert is emailed once per threshold and month however many imports
 * run (app/billing/bill_shock.ts). customers.bill_shock_notify_customer adds the customer's
 * billing contact to the reseller's billing address.
 */
export default class extends BaseSchema {
  protected tableName = 'bill_shock_alerts'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      table.integer('employee_id').unsigned().notNullable().defaultTo(0)
      table.string('period', 7).notNullable()
      table.bigInteger('threshold_minor').notNullable()
      table.bigInteger('amount_minor').notNullable()
      table.string('sent_to', 500).nullable()
      // queued | sent | failed
      table.string('status', 16).notNullable().defaultTo('queued')
      table.string('last_error', 500).nullable()
      table.unique(['customer_id', 'employee_id', 'period', 'threshold_minor'], {
        indexName: 'bill_shock_alerts_once',
      })
      table.timestamp('created_at').notNullable()
    })
    this.schema.alterTable('customers', (table) => {
      table.boolean('bill_shock_notify_customer').notNullable().defaultTo(false)
    })
  }

  async down() {
    this.schema.alterTable('customers', (table) => {
      table.dropColumn('bill_shock_notify_customer')
    })
    this.schema.dropTable(this.tableName)
  }
}
