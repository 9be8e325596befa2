import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Imports a rate deck CSV into a tariff (created when the name is new). All or nothing. */
export default class TariffsImport extends BaseCommand {
  static commandName = 'tariffs:import'
  static description =
    'Import a rate deck CSV (columns: README, "Rating and tariffs") into a tariff'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Path of the CSV file (header row required)' })
  declare file: string

  @flags.string({ description: 'Tariff name (created when it does not exist)', required: true })
  declare tariff: string

  @flags.boolean({
    description: 'Replace the whole deck (delete rates not in the file) instead of merging',
  })
  declare replace: boolean

  @flags.boolean({
    description: 'Re-rate unbilled usage of the customers on this tariff afterwards',
  })
  declare rerate: boolean

  @flags.boolean({
    description:
      "A supplier's buy (cost) deck: set it on connectors (setting buyTariff), not on customers",
  })
  declare buy: boolean

  @flags.string({ description: 'Supplier of a buy deck' })
  declare supplier?: string

  @flags.boolean({ description: 'Print one JSON object on stdout' })
  declare json: boolean

  async run() {
    const { existsSync } = await import('node:fs')
    const { importDeck } = await import('#rating/tariffs')
    const { rerateAndRefresh } = await import('#consolidation/usage_pipeline')
    const { DeckImportError } = await import('#rating/deck_csv')
    if (!existsSync(this.file)) return this.fail(`${this.file}: no such file`, [])
    const started = Date.now()
    try {
      const result = await importDeck({
        path: this.file,
        displayName: this.file,
        tariffName: this.tariff,
        replace: this.replace,
        kind: this.buy ? 'buy' : undefined,
        supplier: this.supplier ?? null,
      })
      const out: Record<string, unknown> = { ...result }
      if (this.rerate) out.rerate = await rerateAndRefresh({ tariffId: result.tariff_id })
      if (this.json) process.stdout.write(JSON.stringify(out) + '\n')
      else {
        this.logger.success(
          `${result.rates} rates imported into tariff "${this.tariff}" (#${result.tariff_id}): ${result.inserted} new, ${result.updated} updated` +
            (result.removed ? `, ${result.removed} removed` : '') +
            ` in ${((Date.now() - started) / 1000).toFixed(1)} s`
        )
        if (out.rerate) {
          const r = out.rerate as any
          this.logger.info(
            `re-rated ${r.records} records: ${r.changed} changed, total ${r.oldTotalE4 / 1e4} → ${r.newTotalE4 / 1e4}`
          )
        }
      }
    } catch (error) {
      if (error instanceof DeckImportError) return this.fail(error.message, error.errors)
      return this.fail(String((error as Error).message).slice(0, 500), [])
    }
  }

  private fail(message: string, errors: { line: number; field: string; message: string }[]) {
    this.exitCode = 1
    if (this.json) {
      process.stdout.write(JSON.stringify({ error: message, errors }) + '\n')
      return
    }
    this.logger.error(message)
    for (const e of errors.slice(1, 20))
      this.logger.error(`  line ${e.line}, field ${e.field}: ${e.message}`)
  }
}
