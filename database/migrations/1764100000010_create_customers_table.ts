import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'customers'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('account_number', 32).notNullable().unique()
      table.string('name', 200).notNullable()
      table.string('billing_email', 254).nullable()
      table.text('billing_contacts').nullable()
      table.text('address').nullable()
      table.string('vat_number', 32).nullable()
      // Tax, markup and other rates are stored in basis points (2000 = 20%).
      table.integer('tax_rate_bp').notNullable().defaultTo(2000)
      table.string('currency', 3).notNullable().defaultTo('GBP')
      table.string('time_zone', 64).notNullable().defaultTo('Europe/London')
      table.integer('payment_terms_days').notNullable().defaultTo(30)
      table.integer('bill_day').notNullable().defaultTo(1)
      table.string('recurring_billing', 8).notNullable().defaultTo('advance')
      table.boolean('itemise_calls').notNullable().defaultTo(false)
      table.boolean('mi_addon').notNullable().defaultTo(false)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
