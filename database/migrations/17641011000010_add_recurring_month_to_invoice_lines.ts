import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Recurring charges are billed month by month, each month exactly once: a
 * recurring invoice line records which charge (`recurring_charge_id`) and which
 * calendar month (`recurring_month`, YYYY-MM) it bills. A run bills a charge's
 * months that no finalized invoice of the customer has billed yet (catch-up of
 * a part month, mode switches). NULL on usage lines and on recurring lines
 * written before this migration (those are covered by the invoice's
 * snapshot.recurring_month, see app/billing/recurring_months.ts).
 * No foreign key: a charge may be deleted only while unbilled, and invoice
 * lines must survive whatever happens to the charge later.
 */
export default class extends BaseSchema {
  protected tableName = 'invoice_lines'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.integer('recurring_charge_id').unsigned().nullable()
      table.string('recurring_month', 7).nullable()
      table.index(
        ['recurring_charge_id', 'recurring_month'],
        'invoice_lines_recurring_charge_month_index'
      )
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropIndex(
        ['recurring_charge_id', 'recurring_month'],
        'invoice_lines_recurring_charge_month_index'
      )
    })
    this.schema.alterTable(this.tableName, (table) => {
      table.dropColumn('recurring_month')
      table.dropColumn('recurring_charge_id')
    })
  }
}
