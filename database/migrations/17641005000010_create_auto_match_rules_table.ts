import { BaseSchema } from '@adonisjs/lucid/schema'

/** Per-customer rules that allocate unknown identifiers automatically (e.g. UPN equals employee email). */
export default class extends BaseSchema {
  protected tableName = 'auto_match_rules'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      // upn_email | identifier_employee_number
      table.string('rule', 32).notNullable()
      table.boolean('enabled').notNullable().defaultTo(true)
      table.unique(['customer_id', 'rule'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
