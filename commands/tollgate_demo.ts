import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { DateTime } from 'luxon'

/**
 * Loads the demo data set and runs month end on it, through the same commands
 * a reseller uses: tariff import, usage imports (Asterisk CDRs and a carrier
 * bill through a mapping profile), rating, billing runs with PDFs, and email
 * (to .eml files unless MAIL_MAILER=smtp).
 */
export default class TollgateDemo extends BaseCommand {
  static commandName = 'tollgate:demo'
  static description = 'Load the demo data set and run the whole month end on it'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({
    description: 'Drop every table and migrate before loading (the demo needs an empty database)',
  })
  declare fresh: boolean

  @flags.number({
    description: 'How many months of usage to generate, ending with last month',
    default: 4,
  })
  declare months: number

  @flags.string({
    description:
      'Send the invoices through this SMTP server (host:port) instead of the configured mailer',
  })
  declare smtp?: string

  async run() {
    const migrate = await this.kernel.exec(this.fresh ? 'migration:fresh' : 'migration:run', [
      '--force',
    ])
    if (migrate.exitCode) return this.fail('migrations failed')

    const { default: app } = await import('@adonisjs/core/services/app')
    const { default: env } = await import('#start/env')
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const { default: Tariff } = await import('#models/tariff')
    const { seededRandom } = await import('#lib/seeded_random')
    const { seedDemo, DEMO_ADMIN } = await import('#demo/demo_seed')
    const { writeDeck, writeDemoFiles } = await import('#demo/demo_files')
    const { assignCustomer } = await import('#rating/tariffs')
    const { setMiAddon } = await import('#insights/mi_addon')
    const { DEMO_CUSTOMERS } = await import('#demo/demo_catalogue')
    const { formatMoney } = await import('#lib/money')

    const count = Math.max(1, Math.min(12, this.months))
    const lastMonth = DateTime.now()
      .setZone('Europe/London')
      .startOf('month')
      .minus({ months: 1 }) as DateTime<true>
    const months = Array.from({ length: count }, (_, i) =>
      lastMonth.minus({ months: count - 1 - i })
    )
    const random = seededRandom(20261126)

    this.logger.info(
      `seeding ${DEMO_CUSTOMERS.length} customers for ${months[0].toFormat('yyyy-MM')} … ${lastMonth.toFormat('yyyy-MM')}`
    )
    const customers = await seedDemo(random, months[0], lastMonth)
    for (const demo of customers) {
      const spec = DEMO_CUSTOMERS.find((c) => c.accountNumber === demo.customer.accountNumber)!
      if (spec.miAddon) await setMiAddon(demo.customer.id, true, null, months[0])
    }

    const folder = app.makePath(env.get('STORAGE_PATH', 'storage'), 'demo-files')
    const deck = await writeDeck(folder, months[0].toFormat('yyyy-MM-dd'))
    const imported = await this.kernel.exec('tariffs:import', [deck, '--tariff', 'Standard 2026'])
    if (imported.exitCode) return this.fail('the tariff import failed')
    const tariff = await Tariff.findByOrFail('name', 'Standard 2026')
    tariff.defaultMarkupBp = 2500
    await tariff.save()
    for (const demo of customers) {
      await assignCustomer(demo.customer.id, tariff.id, months[0].toFormat('yyyy-MM-dd'), null)
    }

    const files = await writeDemoFiles(random, folder, customers, months)
    for (const file of files) {
      this.logger.info(`importing ${file.path.split('/').pop()}`)
      const command = await this.kernel.exec('usage:import', [
        file.path,
        '--format',
        file.format,
        '--customer',
        file.accountNumber,
      ])
      if (command.exitCode) return this.fail(`the import of ${file.path} failed`)
    }

    for (const month of months) {
      const period = month.toFormat('yyyy-MM')
      // The demo plays the billing clerk: it reviews and acknowledges the drafts' flags (the demo data
      // carries unassigned numbers on purpose) before finalizing, as the review page would.
      const run = await this.kernel.exec('billing:run', [
        '--period',
        period,
        '--finalize',
        '--allow-unrated',
        '--acknowledge',
        'Demo month end: flags reviewed',
      ])
      if (run.exitCode) return this.fail(`the billing run for ${period} failed`)
      const latest = await db
        .from('billing_runs')
        .where('period', period)
        .orderBy('id', 'desc')
        .first()
      const send = await this.kernel.exec('invoices:send', [
        '--run',
        String(latest.id),
        ...(this.smtp ? ['--smtp', this.smtp] : []),
      ])
      if (send.exitCode) return this.fail(`sending the invoices of ${period} failed`)
    }

    const totals = await db
      .from('invoices')
      .join('customers', 'customers.id', 'invoices.customer_id')
      .where('invoices.period', lastMonth.toFormat('yyyy-MM'))
      .select('customers.name', 'invoices.number', 'invoices.total_minor', 'invoices.pdf_path')
      .orderBy('invoices.number')
    const records = await db.from('usage_records').count('* as n').first()
    this.logger.success(
      `demo loaded: ${records?.n} usage records, ${customers.reduce((n, c) => n + c.people.length, 0)} employees`
    )
    for (const t of totals) {
      this.logger.log(
        `  ${t.number}  ${t.name.padEnd(32)} ${formatMoney(Number(t.total_minor)).padStart(12)}  ${t.pdf_path}`
      )
    }
    this.logger.log(`  sample source files: ${folder}`)
    this.logger.log(
      `  log in at http://localhost:3333 as ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}`
    )
  }

  private fail(message: string) {
    this.logger.error(message)
    this.exitCode = 1
  }
}
