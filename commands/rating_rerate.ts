import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Re-rates unbilled usage (after a tariff fix) and prints what changed. */
export default class RatingRerate extends BaseCommand {
  static commandName = 'rating:rerate'
  static description = 'Re-rate unbilled usage records for a tariff, a customer and/or a period'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Tariff name or id: every customer on it' })
  declare tariff?: string

  @flags.string({ description: 'Customer account number' })
  declare customer?: string

  @flags.string({ description: 'Period YYYY-MM (default: every period with unbilled records)' })
  declare period?: string

  @flags.boolean({ description: 'Print one JSON object on stdout' })
  declare json: boolean

  async run() {
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const { rerateAndRefresh } = await import('#consolidation/usage_pipeline')
    if (this.period && !/^\d{4}-(0[1-9]|1[0-2])$/.test(this.period))
      return this.fail('--period must be YYYY-MM')
    let tariffId: number | undefined
    let customerIds: number[] | undefined
    if (this.tariff) {
      const t = await db
        .from('tariffs')
        .where('name', this.tariff)
        .orWhere('id', Number(this.tariff) || 0)
        .first()
      if (!t) return this.fail(`no tariff "${this.tariff}"`)
      tariffId = Number(t.id)
    }
    if (this.customer) {
      const c = await db.from('customers').where('account_number', this.customer).first()
      if (!c) return this.fail(`no customer with account number "${this.customer}"`)
      customerIds = [Number(c.id)]
    }
    const summary = await rerateAndRefresh({ tariffId, customerIds, period: this.period })
    if (this.json) {
      process.stdout.write(JSON.stringify(summary) + '\n')
      return
    }
    for (const c of summary.customers) {
      this.logger.info(
        `${c.accountNumber}: ${c.records} records, ${c.changed} changed, ${c.unrated} unrated, ${c.oldTotalE4 / 1e4} → ${c.newTotalE4 / 1e4}`
      )
    }
    this.logger.success(
      `${summary.records} records, ${summary.changed} changed; total ${summary.oldTotalE4 / 1e4} → ${summary.newTotalE4 / 1e4}`
    )
  }

  private fail(message: string) {
    this.exitCode = 1
    if (this.json) process.stdout.write(JSON.stringify({ error: message }) + '\n')
    else this.logger.error(message)
  }
}
