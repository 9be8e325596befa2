import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { readFile } from 'node:fs/promises'

/** Imports a staff list CSV for a customer: preview by default, --apply to write. */
export default class StaffImport extends BaseCommand {
  static commandName = 'staff:import'
  static description =
    'Preview (or --apply) a staff list CSV: create/update employees by employee number or email'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'CSV file' })
  declare file: string

  @flags.string({ description: 'Customer account number', required: true })
  declare customer: string

  @flags.boolean({ description: 'Apply the changes (default: preview only)' })
  declare apply: boolean

  @flags.string({
    description:
      'Numbers in the list belong to their employee from this date (YYYY-MM-DD; default today)',
  })
  declare from?: string

  @flags.boolean({ description: 'Print one JSON object on stdout' })
  declare json: boolean

  async run() {
    const { default: Customer } = await import('#models/customer')
    const { planStaffImport, applyStaffImport } = await import('#consolidation/staff_import')
    const customer = await Customer.findBy('account_number', this.customer.toUpperCase())
    if (!customer) return this.fail(`no customer with account number "${this.customer}"`)
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch {
      return this.fail(`cannot read ${this.file}`)
    }
    try {
      if (this.apply) {
        const { plan, ...summary } = await applyStaffImport(customer, text, {
          servicesFrom: this.from ?? null,
        })
        const errors = plan.rows
          .filter((r) => r.action === 'error')
          .map((r) => ({ line: r.line, errors: r.errors }))
        if (this.json)
          process.stdout.write(JSON.stringify({ applied: true, ...summary, errors }) + '\n')
        else
          this.logger.success(
            `applied: ${summary.create} created, ${summary.update} updated, ${summary.unchanged} unchanged, ${summary.error} with errors`
          )
      } else {
        const plan = await planStaffImport(customer, text)
        if (this.json)
          process.stdout.write(
            JSON.stringify({ applied: false, ...plan.summary, rows: plan.rows }) + '\n'
          )
        else {
          for (const r of plan.rows.filter((x) => x.action !== 'unchanged')) {
            const changes = Object.entries(r.changes)
              .map(([k, v]) => `${k}: ${v.from ?? '—'} → ${v.to}`)
              .join('; ')
            this.logger.info(
              `line ${r.line} ${r.action} ${r.name} ${changes} ${r.services.map((s) => s.identifier).join(' ')} ${r.errors.join('; ')}`
            )
          }
          this.logger.info(
            `preview: ${plan.summary.create} to create, ${plan.summary.update} to update, ${plan.summary.unchanged} unchanged, ${plan.summary.error} with errors (run with --apply to write)`
          )
        }
      }
    } catch (e) {
      return this.fail(e instanceof Error ? e.message : String(e))
    }
  }

  private fail(message: string) {
    this.exitCode = 1
    if (this.json) process.stdout.write(JSON.stringify({ error: message }) + '\n')
    else this.logger.error(message)
  }
}
