import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * REST API access tokens (the AdonisJS access tokens guard, docs/api.md): one row per token of a
 * staff user; `hash` is the SHA-256 of the secret, which is shown once and never stored.
 */
export default class extends BaseSchema {
  protected tableName = 'auth_access_tokens'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('tokenable_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.string('type', 32).notNullable()
      table.string('name', 120).nullable()
      table.string('hash', 128).notNullable().unique()
      table.text('abilities').notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.timestamp('last_used_at').nullable()
      table.timestamp('expires_at').nullable()
      table.index(['tokenable_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
