import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'recurring_charges'

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
        .integer('employee_id')
        .unsigned()
        .nullable()
        .references('employees.id')
        .onDelete('SET NULL')
      table
        .integer('service_id')
        .unsigned()
        .nullable()
        .references('services.id')
        .onDelete('SET NULL')
      table.string('description', 200).notNullable()
      table.string('category', 32).notNullable()
      table.integer('quantity').notNullable().defaultTo(1)
      table.bigInteger('unit_price_e4').notNullable()
      table.bigInteger('unit_cost_e4').notNullable().defaultTo(0)
      table.date('starts_on').notNullable()
      table.date('ends_on').nullable()
      // manual | m365 | mi_addon
      table.string('origin', 16).notNullable().defaultTo('manual')
      table.string('external_ref', 128).nullable()
      table.index(['customer_id', 'starts_on'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
