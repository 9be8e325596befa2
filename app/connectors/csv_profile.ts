import { createHash } from 'node:crypto'
import { parse as parseSync } from 'csv-parse/sync'
import { DateTime, IANAZone } from 'luxon'
import MappingProfile from '#models/mapping_profile'
import { parseDecimal } from '#lib/money'
import type { ConnectorDefinition, ParserContext, RowOutcome, RowParser } from '#connectors/types'
import { ImportFailure, contextTimeZone } from '#connectors/types'
import { NumberCache, utcSql } from '#connectors/local_time'
import { INTERNAL_CATEGORY, type CompiledRules } from '#lib/destinations'
import { kindOfCategory } from '#rating/deck'
import { INTERNAL_SETTINGS, internalRules } from '#connectors/asterisk'

export const PROFILE_FIELDS = [
  'number',
  'date',
  'time',
  'destination',
  'duration',
  'volume',
  'quantity',
  'description',
  'cost',
  'category',
  'reference',
  'account',
] as const
export type ProfileField = (typeof PROFILE_FIELDS)[number]

/** Fields whose column reference may be a sum of columns ("Bytes Sent + Bytes Received"). */
const SUMMABLE = new Set<ProfileField>(['duration', 'volume', 'quantity', 'cost'])
/** Fields that may be a constant instead of a column. */
const CONSTANT_FIELDS = new Set<ProfileField>([
  'destination',
  'description',
  'category',
  'account',
  'quantity',
  'cost',
])

/** Skip a row where `column` equals (or does not equal) `value` (trimmed, exact). */
export interface RowFilter {
  column: string | number
  op: 'equals' | 'notEquals'
  value: string
}

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
  /** The cost column in pounds (default; up to 4 dp) or pence (up to 2 dp). */
  costUnit?: 'pounds' | 'pence'
  /** Category when no category column is mapped (default 'voice'). */
  category?: string
  /** Carrier category text (lower case) → our category. */
  categoryMap?: Record<string, string>
  /** Field → column: a header name, or a 1-based column number; "A + B" sums columns (duration, volume, quantity, cost). */
  columns: Partial<Record<ProfileField, string | number>>
  /** Field → a fixed value, for fields with no column (destination, description, category, account, quantity, cost). */
  constants?: Partial<Record<ProfileField, string>>
  /** Rows to skip (counted as read, not errors): totals lines, unanswered calls, another reseller's rows. */
  filters?: RowFilter[]
  /** Columns that together identify a row (the dedupe key); default the reference column, else a hash of the row. */
  dedupeColumns?: (string | number)[]
}

const UNITS = { bytes: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const

/** Checks a profile and returns a list of problems (empty when usable). */
export function checkProfile(config: ProfileConfig): string[] {
  const problems: string[] = []
  if (!config || typeof config !== 'object') return ['the profile is not an object']
  const columns = config.columns ?? {}
  if (columns.number === undefined || columns.number === '')
    problems.push('map a column to "number"')
  if (columns.date === undefined || columns.date === '') problems.push('map a column to "date"')
  for (const [key, ref] of Object.entries(columns)) {
    if (!PROFILE_FIELDS.includes(key as ProfileField)) problems.push(`unknown field "${key}"`)
    else if (String(ref ?? '').includes(' + ') && !SUMMABLE.has(key as ProfileField))
      problems.push(`${key} cannot be a sum of columns`)
  }
  for (const key of Object.keys(config.constants ?? {})) {
    if (!CONSTANT_FIELDS.has(key as ProfileField)) problems.push(`${key} cannot be a constant`)
  }
  for (const [i, flt] of (config.filters ?? []).entries()) {
    if (!flt || String(flt.column ?? '').trim() === '')
      problems.push(`filter ${i + 1}: choose a column`)
    else if (flt.op !== 'equals' && flt.op !== 'notEquals')
      problems.push(`filter ${i + 1}: the condition is "equals" or "notEquals"`)
  }
  if (config.dedupeColumns !== undefined && !Array.isArray(config.dedupeColumns))
    problems.push('dedupe columns must be a list')
  if (config.costUnit && config.costUnit !== 'pounds' && config.costUnit !== 'pence')
    problems.push(`unknown cost unit "${config.costUnit}"`)
  if (config.timeZone && !IANAZone.isValidZone(config.timeZone))
    problems.push(`unknown time zone "${config.timeZone}"`)
  if (config.volumeUnit && !(config.volumeUnit in UNITS))
    problems.push(`unknown volume unit "${config.volumeUnit}"`)
  if (config.delimiter && config.delimiter.length !== 1 && config.delimiter !== '\\t')
    problems.push('the delimiter must be one character')
  return problems
}

function delimiterOf(config: ProfileConfig) {
  const d = config.delimiter || ','
  return d === '\\t' ? '\t' : d
}

type Num = { value: number } | { error: string } | null

export class CsvProfileParser implements RowParser {
  readonly csv: { delimiter: string; fromLine?: number }
  readonly hasHeader: boolean
  readonly accountField = 'account'
  private index: Partial<Record<ProfileField, number[]>> = {}
  private filters: { index: number; op: RowFilter['op']; value: string }[] = []
  private dedupe: number[] = []
  private numbers: NumberCache
  private zone: string
  private expected = 0
  private maxIndex = 0

  constructor(
    private config: ProfileConfig,
    private periodZone: string,
    /** Prefixes the dedupe key: the same row read through another profile is another record. */
    private profileName = 'preview',
    internal?: CompiledRules
  ) {
    const problems = checkProfile(config)
    if (problems.length) throw new ImportFailure(`mapping profile: ${problems.join('; ')}`)
    this.csv = { delimiter: delimiterOf(config), fromLine: (config.skipRows ?? 0) + 1 }
    this.hasHeader = config.hasHeader !== false
    this.zone = config.timeZone || periodZone
    this.numbers = new NumberCache(50_000, internal)
    if (!this.hasHeader) this.resolve(null)
  }

  header(fields: string[]) {
    this.resolve(fields.map((f) => f.trim().toLowerCase()))
    this.expected = fields.length
  }

  private column(header: string[] | null, ref: string | number, what: string): number {
    const text = String(ref).trim()
    const asNumber = /^#?\d+$/.test(text) ? Number(text.replace('#', '')) : null
    let idx = header ? header.indexOf(text.toLowerCase()) : -1
    if (idx < 0 && asNumber !== null) idx = asNumber - 1
    if (idx < 0)
      throw new ImportFailure(
        `mapping profile: column "${text}" for ${what} is not in the file's header`
      )
    return idx
  }

  private resolve(header: string[] | null) {
    for (const [field, ref] of Object.entries(this.config.columns)) {
      if (ref === undefined || ref === null || ref === '') continue
      const parts = SUMMABLE.has(field as ProfileField) ? String(ref).split(' + ') : [String(ref)]
      this.index[field as ProfileField] = parts.map((part) => this.column(header, part, field))
    }
    this.filters = (this.config.filters ?? []).map((flt) => ({
      index: this.column(header, flt.column, 'a filter'),
      op: flt.op,
      value: String(flt.value ?? '').trim(),
    }))
    this.dedupe = (this.config.dedupeColumns ?? [])
      .filter((c) => String(c).trim() !== '')
      .map((c) => this.column(header, c, 'the dedupe key'))
    this.maxIndex = Math.max(
      0,
      ...Object.values(this.index).flat(),
      ...this.filters.map((x) => x.index),
      ...this.dedupe
    )
  }

  /** The field's text: its column, else its constant; undefined when it has neither. */
  private get(f: string[], field: ProfileField): string | undefined {
    const idx = this.index[field]
    if (idx === undefined) {
      const constant = this.config.constants?.[field]
      return constant === undefined || constant === '' ? undefined : String(constant).trim()
    }
    return (f[idx[0]] ?? '').trim()
  }

  /** A numeric field summed over its columns (empty cells count as nothing); null when absent or all empty. */
  private sum(f: string[], field: ProfileField, read: (text: string) => Num): Num {
    const idx = this.index[field]
    const texts = idx ? idx.map((i) => (f[i] ?? '').trim()) : [this.get(f, field) ?? '']
    if (texts.every((t) => t === '')) return null
    let total = 0
    for (const t of texts) {
      if (t === '') continue
      const v = read(t)
      if (v === null) continue
      if ('error' in v) return v
      total += v.value
    }
    return { value: total }
  }

  parse(f: string[], _line: number): RowOutcome {
    if (this.expected && f.length !== this.expected) {
      return {
        kind: 'error',
        field: null,
        message: `expected ${this.expected} columns, found ${f.length}`,
        structural: true,
      }
    }
    if (f.length <= this.maxIndex) {
      return {
        kind: 'error',
        field: null,
        message: `expected at least ${this.maxIndex + 1} columns, found ${f.length}`,
        structural: true,
      }
    }
    for (const flt of this.filters) {
      const cell = (f[flt.index] ?? '').trim()
      if (flt.op === 'equals' ? cell === flt.value : cell !== flt.value) return { kind: 'skip' }
    }
    const rawNumber = this.get(f, 'number') ?? ''
    if (!rawNumber) return { kind: 'error', field: 'number', message: 'no number' }
    const identifier = /[a-z@]/i.test(rawNumber)
      ? rawNumber.toLowerCase()
      : this.numbers.normalise(rawNumber)
    if (!identifier)
      return { kind: 'error', field: 'number', message: `"${rawNumber}" is not a number` }
    const ms = this.startMs(f)
    if (typeof ms !== 'number') return { kind: 'error', field: 'date', message: ms.error }
    const amounts = this.amounts(f)
    if ('field' in amounts) return { kind: 'error', field: amounts.field, message: amounts.message }
    const categoryText = this.get(f, 'category')
    let category = this.config.category || 'voice'
    if (categoryText) {
      const key = categoryText.toLowerCase()
      category = this.config.categoryMap?.[key] ?? key
    }
    if (category.length > 32)
      return {
        kind: 'error',
        field: 'category',
        message: `category "${category}" is longer than 32 characters`,
      }
    const destinationText = this.get(f, 'destination') ?? ''
    const dialled = destinationText
      ? this.numbers.dialled(destinationText)
      : { value: null, internal: false }
    if (dialled.internal && kindOfCategory(category) === 'voice') category = INTERNAL_CATEGORY
    const account = this.get(f, 'account')
    const description = this.get(f, 'description')
    return {
      kind: 'record',
      record: {
        dedupeKey: this.dedupeKey(f),
        identifier,
        account: account ? account.slice(0, 100) : null,
        occurredAt: utcSql(ms),
        period: DateTime.fromMillis(ms, { zone: this.periodZone }).toFormat('yyyy-MM'),
        category,
        destination: dialled.value,
        ...amounts,
        description: description || null,
      },
    }
  }

  private dedupeKey(f: string[]): string {
    if (this.dedupe.length)
      return profileKey(
        this.profileName,
        `k:${this.dedupe.map((i) => (f[i] ?? '').trim()).join('|')}`
      )
    const reference = this.get(f, 'reference')
    return profileKey(
      this.profileName,
      reference ||
        `h:${createHash('sha1')
          .update(f.map((v) => v.trim()).join('\x1f'))
          .digest('hex')}`
    )
  }

  private startMs(f: string[]): number | { error: string } {
    const dateText = this.get(f, 'date') ?? ''
    const timeText = this.get(f, 'time')
    const text = timeText !== undefined ? `${dateText} ${timeText}` : dateText
    const format = this.config.dateFormat || 'yyyy-MM-dd HH:mm:ss'
    const dt =
      format === 'iso'
        ? DateTime.fromISO(text, { zone: this.zone })
        : DateTime.fromFormat(text, format, { zone: this.zone })
    if (!dt.isValid) return { error: `"${text}" does not match the date format "${format}"` }
    return dt.toMillis()
  }

  /** Duration, volume, quantity and cost, each a column, a sum of columns or a constant. */
  private amounts(
    f: string[]
  ):
    | { durationS: number; volumeBytes: number; quantity: number; costE4: number | null }
    | { field: ProfileField; message: string } {
    const durationFormat = this.config.durationFormat ?? 'seconds'
    const duration = this.sum(f, 'duration', (t) => {
      const d = parseDuration(t, durationFormat)
      if (d === null) return { error: `"${t}" is not a duration` }
      return d < 0 ? { error: `negative duration "${t}"` } : { value: d }
    })
    if (duration && 'error' in duration) return { field: 'duration', message: duration.error }
    const unit = UNITS[this.config.volumeUnit ?? 'bytes']
    const volume = this.sum(f, 'volume', (t) => {
      let v: number
      try {
        v = parseDecimal(t, 6)
      } catch {
        return { error: `"${t}" is not a volume` }
      }
      if (v < 0) return { error: `negative volume "${t}"` }
      return { value: Number((BigInt(v) * BigInt(unit) + 999_999n) / 1_000_000n) }
    })
    if (volume && 'error' in volume) return { field: 'volume', message: volume.error }
    const quantity = this.sum(f, 'quantity', (t) =>
      /^\d{1,9}$/.test(t) ? { value: Number(t) } : { error: `"${t}" is not a whole quantity` }
    )
    if (quantity && 'error' in quantity) return { field: 'quantity', message: quantity.error }
    const pence = this.config.costUnit === 'pence'
    const cost = this.sum(f, 'cost', (t) => {
      try {
        return { value: parseDecimal(t.replace(/[£$€p\s]/g, ''), pence ? 2 : 4) }
      } catch (error) {
        return { error: `cost "${t}": ${(error as Error).message}${pence ? ' (in pence)' : ''}` }
      }
    })
    if (cost && 'error' in cost) return { field: 'cost', message: cost.error }
    for (const [field, v] of [
      ['duration', duration],
      ['volume', volume],
      ['quantity', quantity],
    ] as const) {
      if (v && !Number.isSafeInteger(v.value)) return { field, message: 'out of range' }
    }
    return {
      durationS: duration?.value ?? 0,
      volumeBytes: volume?.value ?? 0,
      quantity: quantity?.value ?? 1,
      // Pence with 2 dp are e4 pounds already (1p = 100 e4).
      costE4: cost ? cost.value : null,
    }
  }
}

/** `prof:<profile>:<natural key>`, hashed when it would not fit the 128-character column. */
export function profileKey(profile: string, natural: string): string {
  const key = `prof:${profile}:${natural}`
  return key.length <= 128 ? key : `prof:h:${createHash('sha1').update(key).digest('hex')}`
}

/** Seconds from "95", "1.5" (minutes), or "00:01:35". */
export function parseDuration(
  text: string,
  format: 'seconds' | 'minutes' | 'hh:mm:ss'
): number | null {
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
    return {
      problems: [...problems, `the sample cannot be read as CSV: ${(error as Error).message}`],
      header: [],
      rows: [],
    }
  }
  const hasHeader = config.hasHeader !== false
  const header = hasHeader ? (rows[0] ?? []) : []
  const data = hasHeader ? rows.slice(1) : rows
  if (problems.length)
    return {
      problems,
      header,
      rows: data.slice(0, maxRows).map((fields) => ({ fields, outcome: null })),
    }
  let parser: CsvProfileParser
  try {
    parser = new CsvProfileParser(config, zone)
    if (hasHeader) parser.header(header)
  } catch (error) {
    return {
      problems: [(error as Error).message],
      header,
      rows: data.slice(0, maxRows).map((fields) => ({ fields, outcome: null })),
    }
  }
  const skip = (config.skipRows ?? 0) + (hasHeader ? 1 : 0)
  return {
    problems,
    header,
    rows: data
      .slice(0, maxRows)
      .map((fields, i) => ({ fields, outcome: parser.parse(fields, skip + i + 1) })),
  }
}

export const csvProfileConnector: ConnectorDefinition = {
  type: 'csv_profile',
  label: 'Carrier CSV (mapping profile)',
  transports: ['folder', 'sftp', 'https'],
  settings: [
    {
      key: 'profile',
      label: 'Mapping profile name',
      help: 'A profile from Connectors → Mapping profiles',
    },
    {
      key: 'buyTariff',
      label: 'Buy deck (tariff name)',
      help: 'Costs records that come without a supplier cost',
    },
    ...INTERNAL_SETTINGS,
  ],
  formatName: (ctx: ParserContext) => `profile:${ctx.settings.profile}`,
  async createParser(ctx: ParserContext) {
    if (!ctx.settings.profile) throw new ImportFailure('no mapping profile set on the connector')
    const config = await loadProfile(ctx.settings.profile)
    return new CsvProfileParser(
      config,
      contextTimeZone(ctx),
      ctx.settings.profile,
      internalRules(ctx.settings)
    )
  },
}
