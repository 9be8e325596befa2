/*
 * The measured half of the UK Standard CDR bench, run from the compiled build in a process of
 * its own (its peak RSS is the pipeline's, not the TypeScript loader's): imports one file through
 * the uk_standard_cdr connector, then maps, rates (sell and cost) and rolls it up. One JSON line.
 */
import { bootApp } from './boot_app.js'

const [file, customerId, connectorId] = process.argv.slice(2)
const app = await bootApp()
const { default: Customer } = await import('#models/customer')
const { default: Connector } = await import('#models/connector')
const { importFile, processUsage } = await import('#connectors/import_file')
const { connectorType } = await import('#connectors/registry')

const customer = await Customer.findOrFail(Number(customerId))
const connector = await Connector.findOrFail(Number(connectorId))
const baselineRss = process.memoryUsage().rss
const started = process.hrtime.bigint()
const parser = await connectorType('uk_standard_cdr').createParser!({ customer, connector, settings: connector.settings ?? {} })
const summary = await importFile({ path: file, customer, connector, format: 'uk-standard-cdr', parser, process: false })
const imported = process.hrtime.bigint()
const importRss = process.resourceUsage().maxRSS * 1024
const { default: db } = await import('@adonisjs/lucid/services/db')
const periods = (await db.from('usage_records').where('import_id', summary.import_id).distinct('period')).map((r: any) => String(r.period))
const processed = await processUsage(customer.id, periods, summary.import_id)
const done = process.hrtime.bigint()

process.stdout.write(
  JSON.stringify({
    import_id: summary.import_id,
    status: summary.status,
    error: summary.error ?? null,
    read: summary.read,
    imported: summary.imported,
    rejected: summary.rejected,
    internal: summary.internal ?? 0,
    import_seconds: Number(imported - started) / 1e9,
    process_seconds: Number(done - imported) / 1e9,
    processed,
    baseline_rss: baselineRss,
    import_peak_rss: importRss,
    // ru_maxrss: the highest RSS of this process over its whole life, boot included.
    peak_rss: process.resourceUsage().maxRSS * 1024,
  }) + '\n'
)
await app.terminate()
