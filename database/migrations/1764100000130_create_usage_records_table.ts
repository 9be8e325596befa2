import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'usage_records'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      // connector:<id> or manual:<format>; dedupe keys are unique per source.
      table.string('source', 64).notNullable()
      table.string('dedupe_key', 128).notNullable()
      table.integer('import_id').unsigned().nullable()
      table.integer('service_id').unsigned().nullable()
      table.integer('employee_id').unsigned().nullable()
      table.integer('department_id').unsigned().nullable()
      table.string('identifier', 254).notNullable()
      table.timestamp('occurred_at').notNullable()
      // YYYY-MM in the customer's time zone
      table.string('period', 7).notNullable()
      table.string('category', 32).notNullable()
      table.string('destination', 64).nullable()
      table.string('destination_name', 120).nullable()
      table.integer('duration_s').notNullable().defaultTo(0)
      table.bigInteger('volume_bytes').notNullable().defaultTo(0)
      table.integer('quantity').notNullable().defaultTo(1)
      table.string('description', 255).nullable()
      // Money in ten-thousandths of the currency unit (4 dp).
      table.bigInteger('cost_e4').nullable()
      table.bigInteger('price_e4').nullable()
      table.integer('tariff_id').unsigned().nullable()
      table.integer('rate_id').unsigned().nullable()
      table.bigInteger('allowance_used').notNullable().defaultTo(0)
      // pending | rated | markup | unrated
      table.string('rating_status', 16).notNullable().defaultTo('pending')
      table.string('unrated_reason', 120).nullable()
      table.integer('invoice_id').unsigned().nullable()
      table.unique(['source', 'dedupe_key'])
      table.index(['customer_id', 'period'])
      table.index(['customer_id', 'identifier'])
      table.index(['employee_id', 'period'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
