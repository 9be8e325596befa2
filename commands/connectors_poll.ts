import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

export default class ConnectorsPoll extends BaseCommand {
  static commandName = 'connectors:poll'
  static description = 'Poll connectors now: one (--connector) or every enabled one'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Poll only this connector' })
  declare connector?: number

  @flags.boolean({ description: 'Print one JSON object on stdout' })
  declare json: boolean

  async run() {
    const { default: Connector } = await import('#models/connector')
    const { pollConnector } = await import('#connectors/poll_connector')
    const { ProgressBar } = await import('#connectors/progress_bar')

    const connectors = this.connector
      ? await Connector.query().where('id', this.connector)
      : await Connector.query().where('enabled', true).orderBy('id')
    if (this.connector && !connectors.length) {
      if (this.json)
        process.stdout.write(JSON.stringify({ error: `no connector ${this.connector}` }) + '\n')
      else this.logger.error(`no connector ${this.connector}`)
      this.exitCode = 1
      return
    }
    const results = []
    for (const connector of connectors) {
      const bar = new ProgressBar(`#${connector.id} ${connector.name}`.slice(0, 40))
      const result = await pollConnector(connector.id, { onProgress: (d, t) => bar.update(d, t) })
      bar.done()
      results.push({
        connector_id: connector.id,
        name: connector.name,
        status: result.status,
        message: result.message,
        job_run_id: result.job_run_id,
        imports: result.imports.map(({ retryable, ...i }) => (void retryable, i)),
        ...(result.detail ? { detail: result.detail } : {}),
      })
      if (!this.json) {
        const log =
          result.status === 'failed'
            ? this.logger.error.bind(this.logger)
            : this.logger.info.bind(this.logger)
        log(`#${connector.id} ${connector.name}: ${result.status} — ${result.message}`)
      }
    }
    if (this.json) process.stdout.write(JSON.stringify({ connectors: results }) + '\n')
    if (results.some((r) => r.status === 'failed')) this.exitCode = 1
  }
}
