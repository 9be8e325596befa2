import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'invoice_lines'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('invoice_id')
        .unsigned()
        .notNullable()
        .references('invoices.id')
        .onDelete('CASCADE')
      table.integer('employee_id').unsigned().nullable()
      table.integer('department_id').unsigned().nullable()
      table.integer('service_id').unsigned().nullable()
      // usage | recurring
      table.string('kind', 16).notNullable()
      table.string('category', 32).notNullable()
      table.string('description', 255).notNullable()
      table.integer('quantity').notNullable().defaultTo(1)
      table.bigInteger('unit_price_e4').notNullable().defaultTo(0)
      table.bigInteger('amount_minor').notNullable()
      table.integer('tax_rate_bp').notNullable()
      table.index(['invoice_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
