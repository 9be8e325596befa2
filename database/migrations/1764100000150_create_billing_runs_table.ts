import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'billing_runs'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('period', 7).notNullable()
      // draft | finalized | cancelled
      table.string('status', 16).notNullable().defaultTo('draft')
      table.text('customer_ids').nullable()
      table.integer('created_by').unsigned().nullable()
      table.timestamp('finalized_at').nullable()
      table.index(['period'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
