import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { fileURLToPath } from 'node:url'

/**
 * node ace scheduler:work — the long-running Bree scheduler. Jobs live in
 * app/jobs (poll_connectors, month_end, send_invoices, dunning); each runs in a worker
 * thread that boots its own app. Several schedulers may run against one
 * database: every tick and every unit of work is claimed through job_runs.
 */
export default class SchedulerWork extends BaseCommand {
  static commandName = 'scheduler:work'
  static description =
    'Run the Bree scheduler: poll connectors, month-end billing, invoice emails, payment reminders'
  static options: CommandOptions = { startApp: true, staysAlive: true }

  @flags.boolean({ description: 'Run every job once, wait for them, then exit' })
  declare once: boolean

  @flags.array({
    description: 'Only these jobs (poll_connectors, month_end, send_invoices, dunning)',
  })
  declare only?: string[]

  async run() {
    const { default: Bree } = await import('bree')
    const { INTERVALS } = await import('#jobs/tasks')
    const fromSource = import.meta.url.endsWith('.ts')
    const root = this.app.makePath('app/jobs')
    const names = (
      this.only?.length ? this.only : Object.keys(INTERVALS)
    ) as (keyof typeof INTERVALS)[]
    const { default: log } = await import('@adonisjs/core/services/logger')

    const bree = new Bree({
      root,
      logger: false,
      acceptedExtensions: ['.ts', '.js'],
      defaultExtension: fromSource ? 'ts' : 'js',
      // Workers do not inherit a loader registered inside this process: pass it on the command line.
      worker: fromSource
        ? {
            execArgv: [
              ...process.execArgv.filter((a) => !a.includes('ts-node')),
              '--import=ts-node-maintained/register/esm',
            ],
          }
        : {},
      jobs: names.map((name) => ({
        name,
        interval: INTERVALS[name],
        timeout: this.once ? false : 0,
      })),
      errorHandler: (error: Error, meta: { name?: string }) =>
        log.error({ err: error, job: meta?.name }, 'scheduler job error'),
      workerMessageHandler: () => {},
    } as any)

    const outstanding = new Set<string>(names)
    bree.on('worker created', (name: string) => log.info({ job: name }, 'job started'))
    const finished = new Promise<void>((resolve) => {
      bree.on('worker deleted', (name: string) => {
        log.info({ job: name }, 'job finished')
        outstanding.delete(name)
        if (this.once && outstanding.size === 0) resolve()
      })
    })

    if (this.once) {
      for (const name of names) await bree.run(name)
      await finished
      await bree.stop()
      this.logger.success(`ran ${names.join(', ')}`)
      await this.terminate()
      return
    }

    const stop = async () => {
      log.info('scheduler stopping')
      await bree.stop()
      await this.terminate()
    }
    this.app.terminating(async () => {
      await bree.stop().catch(() => {})
    })
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    await bree.start()
    this.logger.info(
      `scheduler running (${names.map((n) => `${n} every ${Math.round(INTERVALS[n] / 1000)}s`).join(', ')}) from ${fileURLToPath(new URL('.', import.meta.url))}`
    )
  }
}
