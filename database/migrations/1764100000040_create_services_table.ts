import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'services'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      // mobile | ddi | extension | sim | m365_user | device
      table.string('kind', 16).notNullable()
      // Normalised identifier: E.164 for numbers, lower-case UPN for Microsoft 365 users.
      table.string('identifier', 254).notNullable()
      table.string('label', 200).nullable()
      table.unique(['customer_id', 'kind', 'identifier'])
      table.index(['identifier'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
