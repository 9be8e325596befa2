import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Review flags of a draft invoice (app/billing/flags.ts): change against the last invoice and the
 * trailing average, anomalies, records below cost, suspected duplicates, unknown services, unrated
 * records. An unacknowledged flag holds the invoice from finalize and auto-send; a billing user
 * acknowledges it with a reason (audited). Rebuilt with the draft: a regenerated draft is reviewed again.
 */
export default class extends BaseSchema {
  protected tableName = 'invoice_flags'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('invoice_id')
        .unsigned()
        .notNullable()
        .references('invoices.id')
        .onDelete('CASCADE')
      // change_vs_last | change_vs_average | anomaly | below_cost | duplicates | unknown_services | unrated
      table.string('kind', 32).notNullable()
      table.string('message', 500).notNullable()
      table.text('details').nullable()
      table.timestamp('acknowledged_at').nullable()
      table.integer('acknowledged_by').unsigned().nullable()
      table.string('acknowledge_reason', 500).nullable()
      table.index(['invoice_id'])
      table.timestamp('created_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
