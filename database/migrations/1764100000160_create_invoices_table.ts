import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'invoices'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('billing_run_id')
        .unsigned()
        .notNullable()
        .references('billing_runs.id')
        .onDelete('CASCADE')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      table.string('period', 7).notNullable()
      table.string('number', 32).nullable().unique()
      // draft | finalized
      table.string('status', 16).notNullable().defaultTo('draft')
      table.date('issue_date').nullable()
      table.date('tax_point').nullable()
      table.date('due_date').nullable()
      table.string('currency', 3).notNullable().defaultTo('GBP')
      // Money in minor units (pence).
      table.bigInteger('subtotal_minor').notNullable().defaultTo(0)
      table.bigInteger('tax_minor').notNullable().defaultTo(0)
      table.bigInteger('total_minor').notNullable().defaultTo(0)
      table.string('pdf_path', 255).nullable()
      table.string('pdf_sha256', 64).nullable()
      table.text('snapshot').nullable()
      // One invoice per customer and period: a second active run cannot bill it again.
      table.unique(['customer_id', 'period'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
