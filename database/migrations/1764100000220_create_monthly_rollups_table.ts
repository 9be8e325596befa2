import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'monthly_rollups'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.integer('customer_id').unsigned().notNullable()
      table.string('period', 7).notNullable()
      // 0 stands for "none" so that the composite key stays unique (NULLs never collide).
      table.integer('department_id').unsigned().notNullable().defaultTo(0)
      table.integer('employee_id').unsigned().notNullable().defaultTo(0)
      table.integer('service_id').unsigned().notNullable().defaultTo(0)
      table.string('category', 32).notNullable()
      table.integer('record_count').notNullable().defaultTo(0)
      table.bigInteger('duration_s').notNullable().defaultTo(0)
      table.bigInteger('volume_bytes').notNullable().defaultTo(0)
      table.bigInteger('cost_e4').notNullable().defaultTo(0)
      table.bigInteger('price_e4').notNullable().defaultTo(0)
      table.unique(
        ['customer_id', 'period', 'department_id', 'employee_id', 'service_id', 'category'],
        { indexName: 'monthly_rollups_key' }
      )
      table.index(['customer_id', 'employee_id', 'period'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
