import { BaseSchema } from '@adonisjs/lucid/schema'

/** One-time invitations for customer (portal) users; only the SHA-256 of the token is stored. */
export default class extends BaseSchema {
  protected tableName = 'portal_invites'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      table.string('token_hash', 64).notNullable().unique()
      table.integer('invited_by').unsigned().nullable()
      table.timestamp('expires_at').notNullable()
      table.timestamp('accepted_at').nullable()
      table.timestamp('created_at').notNullable()
      table.index(['customer_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
