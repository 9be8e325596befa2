import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Deliveries carry any emailed document, not only invoices: `document_type` says which
 * (`invoice` | `credit_note`) and exactly one of `invoice_id` / `credit_note_id` is set.
 * Each document still has at most one delivery row: unique(invoice_id) as before, and
 * unique(credit_note_id) for credit notes (NULLs do not collide on either driver).
 */
export default class extends BaseSchema {
  protected tableName = 'deliveries'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.string('document_type', 16).notNullable().defaultTo('invoice')
      table
        .integer('credit_note_id')
        .unsigned()
        .nullable()
        .references('credit_notes.id')
        .onDelete('CASCADE')
      table.unique(['credit_note_id'])
    })
    this.schema.alterTable(this.tableName, (table) => {
      table.integer('invoice_id').unsigned().nullable().alter()
    })
  }

  async down() {
    this.defer(async (client) => {
      await client.from(this.tableName).whereNotNull('credit_note_id').delete()
    })
    this.schema.alterTable(this.tableName, (table) => {
      table.dropForeign(['credit_note_id'])
      table.dropUnique(['credit_note_id'])
      table.dropColumn('credit_note_id')
      table.dropColumn('document_type')
    })
    this.schema.alterTable(this.tableName, (table) => {
      table.integer('invoice_id').unsigned().notNullable().alter()
    })
  }
}
