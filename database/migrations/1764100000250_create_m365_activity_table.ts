import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'm365_activity'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      // Lower-case UPN, or the report's hash when the tenant conceals user names.
      table.string('upn', 254).notNullable()
      table.boolean('concealed').notNullable().defaultTo(false)
      table.date('report_refresh_date').notNullable()
      table.date('last_activity_date').nullable()
      // Comma-separated products with activity (Exchange, OneDrive, SharePoint, Teams, ...)
      table.string('active_products', 255).nullable()
      table.bigInteger('mailbox_bytes').notNullable().defaultTo(0)
      table.bigInteger('onedrive_bytes').notNullable().defaultTo(0)
      table.unique(['customer_id', 'upn'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
