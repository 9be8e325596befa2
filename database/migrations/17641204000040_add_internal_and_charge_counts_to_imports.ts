import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Counted apart on the import page: calls to internal destinations (extensions, feature
 * codes: stored, never priced) and supplier service charges (stored in supplier_charges).
 */
export default class extends BaseSchema {
  protected tableName = 'imports'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.integer('rows_internal').notNullable().defaultTo(0)
      table.integer('rows_charges').notNullable().defaultTo(0)
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropColumn('rows_internal')
      table.dropColumn('rows_charges')
    })
  }
}
