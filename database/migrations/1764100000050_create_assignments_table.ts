import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'assignments'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('service_id')
        .unsigned()
        .notNullable()
        .references('services.id')
        .onDelete('CASCADE')
      table
        .integer('employee_id')
        .unsigned()
        .notNullable()
        .references('employees.id')
        .onDelete('CASCADE')
      // Effective over [starts_at, ends_at) in UTC; ends_at null means open-ended.
      table.timestamp('starts_at').notNullable()
      table.timestamp('ends_at').nullable()
      table.index(['service_id', 'starts_at'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
