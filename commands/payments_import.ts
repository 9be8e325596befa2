import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * node ace payments:import FILE --profile NAME [--json]
 * Imports a bank statement CSV through a column profile: matched receipts become payments, the rest
 * wait in the unmatched queue; lines imported before are skipped. A bad file names line and field
 * and writes nothing (exit code 1).
 */
export default class PaymentsImport extends BaseCommand {
  static commandName = 'payments:import'
  static description = 'Import a bank statement CSV (payments received)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The statement CSV file' })
  declare file: string

  @flags.string({ description: 'Bank statement column profile name', required: true })
  declare profile: string

  @flags.boolean({ description: 'Print one JSON object on stdout' })
  declare json: boolean

  async run() {
    const { readFile } = await import('node:fs/promises')
    const { basename } = await import('node:path')
    const { importStatement } = await import('#payments/bank_import')
    const { StatementCsvError } = await import('#payments/statement_csv')
    const { PaymentError } = await import('#payments/errors')
    try {
      const text = await readFile(this.file, 'utf8')
      const summary = await importStatement({
        text,
        filename: basename(this.file),
        profile: this.profile,
      })
      if (this.json) process.stdout.write(JSON.stringify({ ok: true, ...summary }) + '\n')
      else
        this.logger.success(
          `${summary.lines} lines: ${summary.matched} matched, ${summary.unmatched} unmatched, ${summary.duplicates} already imported, ${summary.ignored} outgoing`
        )
    } catch (error: any) {
      if (!(
        error instanceof StatementCsvError ||
        error instanceof PaymentError ||
        error?.code === 'ENOENT'
      ))
        throw error
      this.exitCode = 1
      const problems = error instanceof StatementCsvError ? error.problems : []
      if (this.json)
        process.stdout.write(JSON.stringify({ ok: false, error: error.message, problems }) + '\n')
      else this.logger.error(error.message)
    }
  }
}
