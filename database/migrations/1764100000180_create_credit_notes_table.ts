import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'credit_notes'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('invoice_id')
        .unsigned()
        .notNullable()
        .references('invoices.id')
        .onDelete('CASCADE')
      table.string('number', 32).notNullable().unique()
      table.string('reason', 500).notNullable()
      table.bigInteger('subtotal_minor').notNullable()
      table.bigInteger('tax_minor').notNullable()
      table.bigInteger('total_minor').notNullable()
      table.date('issue_date').notNullable()
      table.string('pdf_path', 255).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
