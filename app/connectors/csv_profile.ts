import { createHash } from 'node:crypto'
import { parse as parseSync } from 'csv-parse/sync'
import { DateTime, IANAZone } from 'luxon'
import MappingProfile from '#models/mapping_profile'
import { parseDecimal } from '#lib/money'
import type { ConnectorDefinition, ParserContext, RowOutcome, RowParser } from '#connectors/types'
import { ImportFailure, contextTimeZone } from '#connectors/types'
import { NumberCache, utcSql } from '#connectors/local_time'

export const PROFILE_FIELDS = [
  'number', 'date', 'time', 'destination', 'duration', 'volume', 'quantity', 'description', 'cost', 'category', 'reference',
] as const
export type ProfileField = (typeof PROFILE_FIELDS)[number]

/** A carrier CSV mapping profile (mapping_profiles.config). */
export interface ProfileConfig {
  delimiter?: string
  hasHeader?: boolean
  /** Lines to skip before the header (or the first data row). */
  skipRows?: number
  /** Luxon format of the date column, or of "date time" when a separate time column is mapped; 'iso' for ISO 8601. */
  dateFormat?: string
  /** IANA zone of the times in the file; default the customer's. */
  timeZone?: string
  durationFormat?: 'seconds' | 'minutes' | 'hh:mm:ss'
  volumeUnit?: 'bytes' | 'KB' | 'MB' | 'GB'
  /** Category when no category column is mapped (default 'voice'). */
  category?: string
  /** Carrier category text (lower case) → our category. */
  categoryMap?: Record<string, string>
  /** Field → column: a header name, or a 1-based column number. */
  columns: Partial<Record<ProfileField, string | number>>
}

const UNITS = { bytes: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const

/** Checks a profile and returns a list of problems (empty when usable). */
export function checkProfile(config: ProfileConfig): string[] {
  const problems: string[] = []
  if (!config || typeof config !== 'object') return ['the profile is not an object']
  const columns = config.columns ?? {}
  if (columns.number === undefined || columns.number === '') problems.push('map a column to "number"')
  if (columns.date === undefined || columns.date === '') problems.push('map a column to "date"')
  for (const key of Object.keys(columns)) {
    if (!PROFILE_FIELDS.includes(key as ProfileField)) problems.push(`unknown field "${key}"`)
  }
  if (config.timeZone && !IANAZone.isValidZone(config.timeZone)) problems.push(`unknown time zone "${config.timeZone}"`)
  if (config.volumeUnit && !(config.volumeUnit in UNITS)) problems.push(`unknown volume unit "${config.volumeUnit}"`)
  if (config.delimiter && config.delimiter.length !== 1 && config.delimiter !== '\\t') problems.push('the delimiter must be one character')
  return problems
}

function delimiterOf(config: ProfileConfig) {
  const d = config.delimiter || ','
  return d === '\\t' ? '\t' : d
}

export class CsvProfileParser implements RowParser {
  readonly csv: { delimiter: string; fromLine?: number }
  readonly hasHeader: boolean
  private index: Partial<Record<ProfileField, number>> = {}
  private numbers = new NumberCache(50_000)
  private zone: string
  private expected = 0

  constructor(
    private config: ProfileConfig,
    private periodZone: string,
    /** Prefixes the dedupe key: the same row read through another profile is another record. */
    private profileName = 'preview'
  ) {
    const problems = checkProfile(config)
    if (problems.length) throw new ImportFailure(`mapping profile: ${problems.join('; ')}`)
    this.csv = { delimiter: delimiterOf(config), fromLine: (config.skipRows ?? 0) + 1 }
    this.hasHeader = config.hasHeader !== false
    this.zone = config.timeZone || periodZone
    if (!this.hasHeader) this.resolve(null)
  }

  header(fields: string[]) {
    this.resolve(fields.map((f) => f.trim().toLowerCase()))
    this.expected = fields.length
  }

  private resolve(header: string[] | null) {
    for (const [field, ref] of Object.entries(this.config.columns)) {
      if (ref === undefined || ref === null || ref === '') continue
      const text = String(ref).trim()
      const asNumber = /^#?\d+$/.test(text) ? Number(text.replace('#', '')) : null
      let idx = -1
      if (header) idx = header.indexOf(text.toLowerCase())
      if (idx < 0 && asNumber !== null) idx = asNumber - 1
      if (idx < 0) {
        throw new ImportFailure(`mapping profile: column "${text}" for ${field} is not in the file's header`)
      }
      this.index[field as ProfileField] = idx
    }
  }

  private get(f: string[], field: ProfileField): string | undefined {
    const i = this.index[field]
    if (i === undefined) return undefined
    return (f[i] ?? '').trim()
  }

  parse(f: string[], _line: number): RowOutcome {
    if (this.expected && f.length !== this.expected) {
      return { kind: 'error', field: null, message: `expected ${this.expected} columns, found ${f.length}`, structural: true }
    }
    const maxIndex = Math.max(...Object.values(this.index).map((v) => v ?? 0))
    if (f.length <= maxIndex) {
      return { kind: 'error', field: null, message: `expected at least ${maxIndex + 1} columns, found ${f.length}`, structural: true }
    }
    const rawNumber = this.get(f, 'number') ?? ''
    if (!rawNumber) return { kind: 'error', field: 'number', message: 'no number' }
    const identifier = /[a-z@]/i.test(rawNumber) ? rawNumber.toLowerCase() : this.numbers.normalise(rawNumber)
    if (!identifier) return { kind: 'error', field: 'number', message: `"${rawNumber}" is not a number` }

    const dateText = this.get(f, 'date') ?? ''
    const timeText = this.get(f, 'time')
    const text = timeText !== undefined ? `${dateText} ${timeText}` : dateText
    const format = this.config.dateFormat || (timeText !== undefined ? 'yyyy-MM-dd HH:mm:ss' : 'yyyy-MM-dd HH:mm:ss')
    const dt = format === 'iso'
      ? DateTime.fromISO(text, { zone: this.zone })
      : DateTime.fromFormat(text, format, { zone: this.zone })
    if (!dt.isValid) return { kind: 'error', field: 'date', message: `"${text}" does not match the date format "${format}"` }
    const ms = dt.toMillis()

    let durationS = 0
    const durationText = this.get(f, 'duration')
    if (durationText) {
      const d = parseDuration(durationText, this.config.durationFormat ?? 'seconds')
      if (d === null) return { kind: 'error', field: 'duration', message: `"${durationText}" is not a duration` }
      if (d < 0) return { kind: 'error', field: 'duration', message: `negative duration "${durationText}"` }
      durationS = d
    }
    let volumeBytes = 0
    const volumeText = this.get(f, 'volume')
    if (volumeText) {
      const unit = UNITS[this.config.volumeUnit ?? 'bytes']
      let v: number
      try {
        v = parseDecimal(volumeText, 6)
      } catch {
        return { kind: 'error', field: 'volume', message: `"${volumeText}" is not a volume` }
      }
      if (v < 0) return { kind: 'error', field: 'volume', message: `negative volume "${volumeText}"` }
      volumeBytes = Number((BigInt(v) * BigInt(unit) + 999_999n) / 1_000_000n)
    }
    let quantity = 1
    const quantityText = this.get(f, 'quantity')
    if (quantityText) {
      if (!/^\d+$/.test(quantityText)) return { kind: 'error', field: 'quantity', message: `"${quantityText}" is not a whole quantity` }
      quantity = Number(quantityText)
    }
    let costE4: number | null = null
    const costText = this.get(f, 'cost')
    if (costText) {
      try {
        costE4 = parseDecimal(costText.replace(/[£$€\s]/g, ''), 4)
      } catch (error) {
        return { kind: 'error', field: 'cost', message: `cost "${costText}": ${(error as Error).message}` }
      }
    }
    const categoryText = this.get(f, 'category')
    let category = this.config.category || 'voice'
    if (categoryText) {
      const key = categoryText.toLowerCase()
      category = this.config.categoryMap?.[key] ?? key
    }
    if (category.length > 32) return { kind: 'error', field: 'category', message: `category "${category}" is longer than 32 characters` }
    const destinationText = this.get(f, 'destination') ?? ''
    const reference = this.get(f, 'reference')
    const dedupeKey = profileKey(this.profileName, reference || `h:${createHash('sha1').update(f.map((v) => v.trim()).join('\x1f')).digest('hex')}`)
    const period = DateTime.fromMillis(ms, { zone: this.periodZone }).toFormat('yyyy-MM')
    const description = this.get(f, 'description')
    return {
      kind: 'record',
      record: {
        dedupeKey,
        identifier: identifier.slice(0, 254),
        account: null,
        occurredAt: utcSql(ms),
        period,
        category,
        destination: destinationText ? this.numbers.destination(destinationText) : null,
        durationS,
        volumeBytes,
        quantity,
        description: description ? description.slice(0, 255) : null,
        costE4,
      },
    }
  }
}

/** `prof:<profile>:<natural key>`, hashed when it would not fit the 128-character column. */
export function profileKey(profile: string, natural: string): string {
  const key = `prof:${profile}:${natural}`
  return key.length <= 128 ? key : `prof:h:${createHash('sha1').update(key).digest('hex')}`
}

/** Seconds from "95", "1.5" (minutes), or "00:01:35". */
export function parseDuration(text: string, format: 'seconds' | 'minutes' | 'hh:mm:ss'): number | null {
  const t = text.trim()
  if (t.includes(':')) {
    const m = /^(-)?(\d+):(\d{1,2})(?::(\d{1,2}))?$/.exec(t)
    if (!m) return null
    const secs = m[4] !== undefined ? +m[2] * 3600 + +m[3] * 60 + +m[4] : +m[2] * 60 + +m[3]
    return m[1] ? -secs : secs
  }
  if (!/^-?\d+(\.\d+)?$/.test(t)) return null
  const n = Number(t)
  return Math.round(format === 'minutes' ? n * 60 : n)
}

export async function loadProfile(name: string): Promise<ProfileConfig> {
  const profile = await MappingProfile.findBy('name', name)
  if (!profile) throw new ImportFailure(`no mapping profile named "${name}"`)
  return profile.config as ProfileConfig
}

/** Parses the first rows of a sample with a profile, for the live preview in the UI. */
export function previewProfile(config: ProfileConfig, sample: string, zone: string, maxRows = 20) {
  const problems = checkProfile(config)
  let rows: string[][] = []
  try {
    rows = parseSync(sample, {
      bom: true,
      delimiter: delimiterOf(config),
      relax_column_count: true,
      skip_empty_lines: true,
      from_line: (config.skipRows ?? 0) + 1,
      to_line: (config.skipRows ?? 0) + maxRows + 2,
      relax_quotes: true,
    })
  } catch (error) {
    return { problems: [...problems, `the sample cannot be read as CSV: ${(error as Error).message}`], header: [], rows: [] }
  }
  const hasHeader = config.hasHeader !== false
  const header = hasHeader ? (rows[0] ?? []) : []
  const data = hasHeader ? rows.slice(1) : rows
  if (problems.length) return { problems, header, rows: data.slice(0, maxRows).map((fields) => ({ fields, outcome: null })) }
  let parser: CsvProfileParser
  try {
    parser = new CsvProfileParser(config, zone)
    if (hasHeader) parser.header(header)
  } catch (error) {
    return { problems: [(error as Error).message], header, rows: data.slice(0, maxRows).map((fields) => ({ fields, outcome: null })) }
  }
  const skip = (config.skipRows ?? 0) + (hasHeader ? 1 : 0)
  return {
    problems,
    header,
    rows: data.slice(0, maxRows).map((fields, i) => ({ fields, outcome: parser.parse(fields, skip + i + 1) })),
  }
}

export const csvProfileConnector: ConnectorDefinition = {
  type: 'csv_profile',
  label: 'Carrier CSV (mapping profile)',
  transports: ['folder', 'sftp', 'https'],
  settings: [{ key: 'profile', label: 'Mapping profile name', help: 'A profile from Connectors → Mapping profiles' }],
  formatName: (ctx: ParserContext) => `profile:${ctx.settings.profile}`,
  async createParser(ctx: ParserContext) {
    if (!ctx.settings.profile) throw new ImportFailure('no mapping profile set on the connector')
    const config = await loadProfile(ctx.settings.profile)
    return new CsvProfileParser(config, contextTimeZone(ctx), ctx.settings.profile)
  },
}
