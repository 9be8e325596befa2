import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * imports.stage: what happened after the rows committed — "imported" (records stored, mapping,
 * rating and rollups still to do) or "processed". NULL for imports from before (all processed).
 * imports.heartbeat_at: renewed while an import runs, so a killed import is seen as stopped.
 */
export default class extends BaseSchema {
  protected tableName = 'imports'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.string('stage', 16).nullable()
      table.timestamp('heartbeat_at').nullable()
      table.index(['status', 'stage'])
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropIndex(['status', 'stage'])
      table.dropColumn('stage')
      table.dropColumn('heartbeat_at')
    })
  }
}
