import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'connectors'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('name', 120).notNullable()
      // asterisk | csv_profile | m365
      table.string('type', 32).notNullable()
      // folder | sftp | https | graph
      table.string('transport', 16).notNullable()
      table
        .integer('customer_id')
        .unsigned()
        .nullable()
        .references('customers.id')
        .onDelete('SET NULL')
      table.text('settings').nullable()
      // Encrypted with the app key; never sent back to the browser.
      table.text('credentials_encrypted').nullable()
      table.string('schedule', 64).nullable()
      table.boolean('enabled').notNullable().defaultTo(true)
      table.timestamp('last_polled_at').nullable()
      table.string('last_status', 16).nullable()
      table.text('last_error').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
