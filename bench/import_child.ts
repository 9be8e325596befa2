/*
 * The measured half of the import bench. It runs from the compiled build, in a process
 * of its own, the way `node ace` runs on a reseller's server: its peak RSS is that of
 * the import, not of the TypeScript loader the bench runner needs. Imports one file
 * for one customer and prints one JSON line.
 */
import { bootApp } from './boot_app.js'

const [file, customerId] = process.argv.slice(2)
const app = await bootApp()
const { default: Customer } = await import('#models/customer')
const { importFile } = await import('#connectors/import_file')
const { AsteriskParser } = await import('#connectors/asterisk')

const customer = await Customer.findOrFail(Number(customerId))
const baselineRss = process.memoryUsage().rss
let peakHeap = process.memoryUsage().heapUsed
const sampler = setInterval(
  () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)),
  50
)
const started = process.hrtime.bigint()
const summary = await importFile({
  path: file,
  customer,
  format: 'asterisk',
  parser: new AsteriskParser('Europe/London', 'Europe/London'),
  process: false,
})
const seconds = Number(process.hrtime.bigint() - started) / 1e9
clearInterval(sampler)

process.stdout.write(
  JSON.stringify({
    import_id: summary.import_id,
    status: summary.status,
    error: summary.error ?? null,
    read: summary.read,
    imported: summary.imported,
    rejected: summary.rejected,
    seconds,
    baseline_rss: baselineRss,
    // ru_maxrss: the highest RSS of this process over its whole life, boot included.
    peak_rss: process.resourceUsage().maxRSS * 1024,
    peak_heap: peakHeap,
  }) + '\n'
)
await app.terminate()
