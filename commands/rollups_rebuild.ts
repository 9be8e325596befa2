import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Throws the monthly rollups away and recomputes them from usage_records (and recurring_charges). */
export default class RollupsRebuild extends BaseCommand {
  static commandName = 'rollups:rebuild'
  static description =
    'Rebuild monthly rollups from usage records and recurring charges (all customers, or one with --customer)'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Customer account number (default: every customer)' })
  declare customer?: string

  @flags.boolean({ description: 'Re-map unbilled records to services and employees first' })
  declare remap: boolean

  @flags.boolean({ description: 'Print one JSON object on stdout' })
  declare json: boolean

  async run() {
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const { rebuildRollups, refreshRollups, refreshRecurringRollups } =
      await import('#consolidation/rollups')
    const { mapUsage } = await import('#consolidation/map_usage')
    const started = Date.now()
    let customerIds: number[]
    if (this.customer) {
      const c = await db
        .from('customers')
        .where('account_number', this.customer.toUpperCase())
        .first()
      if (!c) {
        this.exitCode = 1
        if (this.json)
          process.stdout.write(
            JSON.stringify({ error: `no customer with account number "${this.customer}"` }) + '\n'
          )
        else this.logger.error(`no customer with account number "${this.customer}"`)
        return
      }
      customerIds = [Number(c.id)]
    } else {
      customerIds = (await db.from('usage_records').distinct('customer_id')).map((r) =>
        Number(r.customer_id)
      )
    }
    const mapping = { mapped: 0, unallocated: 0 }
    if (this.remap) {
      for (const customerId of customerIds) {
        const m = await mapUsage({ customerId })
        mapping.mapped += m.mapped
        mapping.unallocated += m.unallocated
      }
    }
    let rows = 0
    let recurringRows = 0
    if (this.customer) {
      const periods = (
        await db.from('usage_records').where('customer_id', customerIds[0]).distinct('period')
      ).map((r) => String(r.period))
      const stale = (
        await db.from('monthly_rollups').where('customer_id', customerIds[0]).distinct('period')
      ).map((r) => String(r.period))
      rows = (await refreshRollups(customerIds[0], [...periods, ...stale])).rows
      recurringRows = (await refreshRecurringRollups(customerIds[0])).rows
    } else {
      const rebuilt = await rebuildRollups()
      rows = rebuilt.rows
      recurringRows = rebuilt.recurringRows
    }
    const summary = {
      customers: customerIds.length,
      rows,
      recurring_rows: recurringRows,
      ...(this.remap ? { mapping } : {}),
      ms: Date.now() - started,
    }
    if (this.json) process.stdout.write(JSON.stringify(summary) + '\n')
    else
      this.logger.success(
        `Rebuilt ${rows} rollup rows for ${customerIds.length} customer(s) in ${summary.ms} ms`
      )
  }
}
