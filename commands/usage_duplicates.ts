import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Lists the calls found stored twice when dedupe keys became per reseller (migration
 * 17641203000040): those billed twice need a credit note. Also refreshes the rollups of the
 * periods whose unbilled second copies were removed.
 */
export default class UsageDuplicates extends BaseCommand {
  static commandName = 'usage:duplicates'
  static description =
    'List calls that were stored (and billed) twice before dedupe became per reseller'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Print one JSON object on stdout' })
  declare json: boolean

  async run() {
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const { duplicateCallReport, periodsToRefresh } = await import('#connectors/dedupe_rekey')
    const { afterUsageChange } = await import('#consolidation/usage_pipeline')
    const { e4ToMinor, formatMoney } = await import('#lib/money')

    for (const [customerId, periods] of await periodsToRefresh(db.connection()))
      await afterUsageChange(customerId, periods)
    const report = await duplicateCallReport(db.connection(), 100_000)
    if (this.json) {
      process.stdout.write(JSON.stringify(report) + '\n')
      return
    }
    this.logger.info(
      `${report.billedTwice} call(s) billed twice; ${report.removed} unbilled second cop(ies) removed`
    )
    for (const r of report.rows.filter((x) => x.kind === 'billed_twice')) {
      const price = r.priceE4 === null ? 'unpriced' : formatMoney(e4ToMinor(r.priceE4), r.currency)
      this.logger.warning(
        `${r.accountNumber} ${r.identifier} at ${r.occurredAt} UTC, ${price}: on invoices ${r.invoiceNumber ?? '?'} and ${r.secondInvoiceNumber ?? '?'}`
      )
    }
  }
}
