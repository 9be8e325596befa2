import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Sessions carry the version of their user they were opened with; logout, a new password or a
 * new role bumps `session_version`, and every request with an older version is logged out
 * (app/middleware/session_guard_middleware.ts). This ends copied cookies too, which a cookie
 * session store could not do by itself.
 */
export default class extends BaseSchema {
  protected tableName = 'users'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.integer('session_version').unsigned().notNullable().defaultTo(0)
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropColumn('session_version')
    })
  }
}
