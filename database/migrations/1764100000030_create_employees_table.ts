import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'employees'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      table
        .integer('department_id')
        .unsigned()
        .nullable()
        .references('departments.id')
        .onDelete('SET NULL')
      table.string('name', 200).notNullable()
      table.string('email', 254).nullable()
      table.string('employee_number', 64).nullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.unique(['customer_id', 'employee_number'])
      table.index(['customer_id', 'email'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
