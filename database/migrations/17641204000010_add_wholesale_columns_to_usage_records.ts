import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Wholesale call files (UK Standard CDR) carry the supplier's charge code and time band:
 * kept on the record for reconciliation. `cost_origin` tells a supplier's cost (from the
 * file) from one Tollgate worked out with a buy deck, so a buy-deck change re-costs only
 * the latter.
 */
export default class extends BaseSchema {
  protected tableName = 'usage_records'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.string('charge_code', 32).nullable()
      table.string('time_band', 16).nullable()
      // supplier | deck | NULL (no cost)
      table.string('cost_origin', 8).nullable()
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropColumn('charge_code')
      table.dropColumn('time_band')
      table.dropColumn('cost_origin')
    })
  }
}
