import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'users'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('full_name', 200).nullable()
      table.string('email', 254).notNullable().unique()
      table.string('password').notNullable()
      // admin | billing | viewer | portal (portal users belong to exactly one customer)
      table.string('role', 16).notNullable().defaultTo('viewer')
      table.integer('customer_id').unsigned().nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
