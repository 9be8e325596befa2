import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A running job claim holds a lease its worker renews (heartbeat); a claim whose lease ran out
 * belongs to a dead or hung scheduler and is taken over (issue 13, M6).
 */
export default class extends BaseSchema {
  protected tableName = 'job_runs'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.timestamp('lease_until').nullable()
      table.timestamp('heartbeat_at').nullable()
      table.index(['status', 'lease_until'])
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropIndex(['status', 'lease_until'])
      table.dropColumn('lease_until')
      table.dropColumn('heartbeat_at')
    })
  }
}
