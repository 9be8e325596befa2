import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

export default class UsageImport extends BaseCommand {
  static commandName = 'usage:import'
  static description =
    'Import a usage file (Asterisk Master.csv or a carrier CSV through a mapping profile)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Path of the file to import' })
  declare file: string

  @flags.number({ description: 'Import as this connector (its type, settings and customer)' })
  declare connector?: number

  @flags.string({ description: 'asterisk or profile:NAME (when no --connector)' })
  declare format?: string

  @flags.string({
    description:
      'Customer account number (without it, and without a connector that has a customer: reseller-wide, each record routed)',
  })
  declare customer?: string

  @flags.boolean({
    description:
      'Read the file even if it was imported before (e.g. after adding an alias for rejected rows); stored calls stay duplicates',
  })
  declare force: boolean

  @flags.boolean({ description: 'Print one JSON object on stdout' })
  declare json: boolean

  private fail(message: string) {
    if (this.json) process.stdout.write(JSON.stringify({ error: message }) + '\n')
    else this.logger.error(message)
    this.exitCode = 1
  }

  async run() {
    const { default: Connector } = await import('#models/connector')
    const { default: Customer } = await import('#models/customer')
    const { importFile } = await import('#connectors/import_file')
    const { connectorType, parserForFormat } = await import('#connectors/registry')
    const { ProgressBar } = await import('#connectors/progress_bar')
    const { ImportFailure } = await import('#connectors/types')

    const path = resolve(this.file)
    if (!existsSync(path)) return this.fail(`no such file: ${this.file}`)
    if (!this.connector && !this.format)
      return this.fail('give --connector ID or --format asterisk|uk-standard-cdr|profile:NAME')

    try {
      const connector = this.connector ? await Connector.find(this.connector) : null
      if (this.connector && !connector) return this.fail(`no connector ${this.connector}`)
      let customer = null
      if (this.customer) {
        customer = await Customer.findBy('account_number', this.customer)
        if (!customer) return this.fail(`no customer with account number ${this.customer}`)
      } else if (connector?.customerId) {
        customer = await Customer.find(connector.customerId)
      }

      let parser
      let format: string
      if (connector) {
        const def = connectorType(connector.type)
        if (!def.createParser) return this.fail(`a ${def.label} connector does not import files`)
        const ctx = { customer, connector, settings: connector.settings ?? {} }
        parser = await def.createParser(ctx)
        format = def.formatName!(ctx)
      } else {
        format = this.format!
        parser = await parserForFormat(format, { customer, settings: {} })
      }
      const bar = new ProgressBar('importing')
      const summary = await importFile({
        path,
        customer,
        connector,
        format,
        parser,
        force: this.force,
        onProgress: (done, total) => bar.update(done, total),
      })
      bar.done()
      const { status, retryable, ...rest } = summary
      void retryable
      const out = { ...rest, status }
      if (this.json) {
        process.stdout.write(JSON.stringify(out) + '\n')
      } else {
        this.logger.info(
          `import #${summary.import_id} ${status}: read ${summary.read}, imported ${summary.imported}, duplicates ${summary.duplicates}, rejected ${summary.rejected}`
        )
        if (summary.same_as_import_id)
          this.logger.info(`same file as import #${summary.same_as_import_id}`)
        for (const [account, n] of Object.entries(summary.routed ?? {}))
          this.logger.info(`  ${account}: ${n} records`)
        if (summary.unknown)
          this.logger.warning(
            `${summary.unknown} records of unknown services queued (Unknown services page)`
          )
        if (summary.error) this.logger.error(summary.error)
        for (const e of summary.errors.slice(0, 20))
          this.logger.warning(`line ${e.line}${e.field ? ` (${e.field})` : ''}: ${e.message}`)
        if (summary.errors.length > 20)
          this.logger.warning(
            `… ${summary.rejected - 20} more rejected rows (see the import in the UI)`
          )
      }
      if (status === 'failed') this.exitCode = 1
    } catch (error) {
      if (error instanceof ImportFailure) return this.fail(error.message)
      throw error
    }
  }
}
