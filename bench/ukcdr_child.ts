/*
 * The measured half of the UK Standard CDR bench, run from the compiled build in a process of
 * its own (its peak RSS is the pipeline's, not the TypeScript loader's): imports one file
 * reseller-wide through the uk_standard_cdr connector in one call (routed, mapped, rated and
 * rolled up on the way in), then (optionally) re-rates its records after a sell-deck change,
 * then parses the file once more without a database (the parser's share). One JSON line.
 */
import { bootApp } from './boot_app.js'

const [file, connectorId, sellTariffId, rerateFlag] = process.argv.slice(2)
const app = await bootApp()
const { default: Connector } = await import('#models/connector')
const { importFile } = await import('#connectors/import_file')
const { connectorType } = await import('#connectors/registry')
const { readCsvRows } = await import('#connectors/csv_reader')
const { default: db } = await import('@adonisjs/lucid/services/db')

const connector = await Connector.findOrFail(Number(connectorId))
const baselineRss = process.memoryUsage().rss
const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9
const createParser = () =>
  connectorType('uk_standard_cdr').createParser!({
    customer: null,
    connector,
    settings: connector.settings ?? {},
  })

// Where the peak RSS lies: the JavaScript heap V8 holds, or buffers outside it.
const peaks = { heapTotal: 0, heapUsed: 0, arrayBuffers: 0 }
// BENCH_RSS_TIMELINE=1: [seconds, rss, heap total, heap used, array buffers] in MB every half second.
const timeline: number[][] = []
let ticks = 0
const sampler = setInterval(() => {
  const m = process.memoryUsage()
  if (process.env.BENCH_RSS_TIMELINE === '1' && ticks++ % 5 === 0)
    timeline.push(
      [ticks / 10, m.rss, m.heapTotal, m.heapUsed, m.arrayBuffers].map((n, i) =>
        i === 0 ? n : Math.round(n / 1048576)
      )
    )
  peaks.heapTotal = Math.max(peaks.heapTotal, m.heapTotal)
  peaks.heapUsed = Math.max(peaks.heapUsed, m.heapUsed)
  peaks.arrayBuffers = Math.max(peaks.arrayBuffers, m.arrayBuffers)
}, 100)
const started = process.hrtime.bigint()
const summary = await importFile({
  path: file,
  customer: null,
  connector,
  format: 'uk-standard-cdr',
  parser: await createParser(),
})
const importSeconds = seconds(started)
const importRss = process.resourceUsage().maxRSS * 1024
clearInterval(sampler)

let rerate: Record<string, unknown> | null = null
if (rerateFlag === '1' && summary.status === 'completed') {
  const { rerateAndRefresh } = await import('#consolidation/usage_pipeline')
  // The deck change: every sell rate's peak price up by a tenth of a penny a minute.
  await db.rawQuery(
    'UPDATE rates SET peak_micros = peak_micros + 1000, updated_at = NOW() WHERE tariff_id = ?',
    [Number(sellTariffId)]
  )
  const from = process.hrtime.bigint()
  try {
    const result = await rerateAndRefresh({
      tariffId: Number(sellTariffId),
      reason: 'bench deck change',
    })
    const s = seconds(from)
    rerate = {
      seconds: Number(s.toFixed(2)),
      records: result.records,
      changed: result.changed,
      records_per_s: Math.round(result.records / s),
    }
  } catch (error) {
    rerate = { error: String((error as Error).message).slice(0, 300) }
  }
}

const parseFrom = process.hrtime.bigint()
const parser = await createParser()
let header = true
for await (const rows of readCsvRows(file, { delimiter: ',', fromLine: 1 })) {
  for (const { fields, line } of rows) {
    if (header) {
      header = false
      parser.header?.(fields)
      continue
    }
    parser.parse(fields, line)
  }
}
const parseSeconds = seconds(parseFrom)

process.stdout.write(
  JSON.stringify({
    import_id: summary.import_id,
    status: summary.status,
    error: summary.error ?? null,
    read: summary.read,
    imported: summary.imported,
    rejected: summary.rejected,
    internal: summary.internal ?? 0,
    unknown: summary.unknown ?? 0,
    import_seconds: importSeconds,
    parse_seconds: parseSeconds,
    rerate,
    baseline_rss: baselineRss,
    import_peak_rss: importRss,
    import_peaks: peaks,
    timeline,
    // ru_maxrss: the highest RSS of this process over its whole life, boot included.
    peak_rss: process.resourceUsage().maxRSS * 1024,
  }) + '\n'
)
await app.terminate()
