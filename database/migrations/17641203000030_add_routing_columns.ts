import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * services.owned_from: from when the customer owns the identifier (null: always), so a
 * reseller-wide feed routes a record by the owner on the record's date.
 * imports.same_as_import_id: a skipped file points at the import that first brought it.
 * usage_records(import_id): routing counts an import's records per customer and period.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('services', (table) => {
      table.timestamp('owned_from').nullable()
    })
    this.schema.alterTable('imports', (table) => {
      table.integer('same_as_import_id').unsigned().nullable()
    })
    this.schema.alterTable('usage_records', (table) => {
      table.index(['import_id'])
    })
  }

  async down() {
    this.schema.alterTable('usage_records', (table) => {
      table.dropIndex(['import_id'])
    })
    this.schema.alterTable('imports', (table) => {
      table.dropColumn('same_as_import_id')
    })
    this.schema.alterTable('services', (table) => {
      table.dropColumn('owned_from')
    })
  }
}
