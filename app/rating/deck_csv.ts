import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import { parse } from 'csv-parse'
import { parseDecimal } from '#lib/money'
import { kindOfCategory } from '#rating/deck'
import type { RateFields } from '#rating/types'

/**
 * The rate deck CSV (documented in README, "Rating and tariffs"). A header row is required;
 * column names are case-insensitive and may come in any order.
 *   prefix, destination, category, peak, offpeak, weekend  (required)
 *   connection, minimum, increments, effective_from        (optional: 0, 0, 60/60, 1970-01-01)
 * Prices are in currency units with up to 6 decimals (per minute, per MB or per message).
 */
export const DECK_COLUMNS = [
  'prefix',
  'destination',
  'category',
  'peak',
  'offpeak',
  'weekend',
  'connection',
  'minimum',
  'increments',
  'effective_from',
] as const
const REQUIRED = ['prefix', 'destination', 'category', 'peak', 'offpeak', 'weekend'] as const

/** A parsed deck row and the file line it came from. */
export interface DeckRow extends RateFields {
  line: number
}

export interface DeckLineError {
  line: number
  field: string
  message: string
}

export interface DeckParseResult {
  file: string
  rows: DeckRow[]
  errors: DeckLineError[]
  errorCount: number
  lines: number
  /** Valid data rows (all of them, even when `rows` was cut short for a preview). */
  valid: number
}

export class DeckImportError extends Error {
  constructor(
    readonly file: string,
    readonly errors: DeckLineError[],
    readonly errorCount: number
  ) {
    const first = errors[0]
    super(
      first
        ? `${file} line ${first.line}, field ${first.field}: ${first.message}` +
            (errorCount > 1
              ? ` (and ${errorCount - 1} more error${errorCount > 2 ? 's' : ''})`
              : '')
        : `${file}: no rates`
    )
  }
}

const MAX_ERRORS_KEPT = 200
/** Plain non-negative decimals with ≤ 9 integer digits and ≤ 6 decimals: exact as Number. */
const FAST_MICROS = /^(\d{1,9})(?:\.(\d{0,6}))?$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

function validDate(text: string): boolean {
  const m = DATE.exec(text)
  if (!m) return false
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3]
}

/** Reports a bad field of a line. */
type Fail = (line: number, field: string, message: string) => void
/** A cell of the current line by column name ('' when the column is absent). */
type Cell = (name: string) => string

/**
 * Parses and validates a deck file, streaming. Every bad field is reported
 * with its line; `rows` holds the valid rows (import only when errors is empty).
 * `limitRows` stops keeping rows after that many (preview) but still validates all.
 */
export async function parseDeckFile(
  path: string,
  options: { displayName?: string; keepRows?: number } = {}
): Promise<DeckParseResult> {
  const file = options.displayName ?? basename(path)
  const keep = options.keepRows ?? Number.POSITIVE_INFINITY
  const result: DeckParseResult = { file, rows: [], errors: [], errorCount: 0, lines: 0, valid: 0 }
  const fail: Fail = (line, field, message) => {
    result.errorCount++
    if (result.errors.length < MAX_ERRORS_KEPT) result.errors.push({ line, field, message })
  }
  const parser = createReadStream(path).pipe(
    parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true })
  )
  let header: Map<string, number> | null = null
  const seen = new Map<string, number>()
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[]
      info: { lines: number }
    }>) {
      const line = info.lines
      result.lines = line
      if (!header) {
        header = headerOf(record)
        if (!hasRequiredColumns(header, line, fail)) break
        continue
      }
      const columns = header
      const get: Cell = (name) => {
        const i = columns.get(name)
        return i === undefined ? '' : (record[i] ?? '').trim()
      }
      const before = result.errorCount
      const { kind, row } = deckRowOf(get, line, fail)
      const key = `${kind}|${row.prefix}|${row.effectiveFrom}`
      const previous = seen.get(key)
      if (previous !== undefined)
        fail(
          line,
          'prefix',
          `${row.prefix || '(any)'} effective ${row.effectiveFrom} is already on line ${previous}`
        )
      else seen.set(key, line)
      if (result.errorCount === before) result.valid++
      if (result.errorCount === before && result.rows.length < keep) result.rows.push(row)
    }
  } catch (error) {
    const e = error as Error & { lines?: number }
    fail(e.lines ?? result.lines + 1, 'file', `unreadable CSV: ${e.message}`)
  }
  if (!header && result.errorCount === 0) fail(1, 'file', 'is empty (a header row is required)')
  else if (header && seen.size === 0 && result.errorCount === 0)
    fail(result.lines, 'file', 'has a header but no rates')
  return result
}

/** Column positions by normalised name ("Effective From" → effective_from). */
function headerOf(record: string[]) {
  return new Map(
    record.map((name, i) => [
      name
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, '_'),
      i,
    ])
  )
}

function hasRequiredColumns(header: Map<string, number>, line: number, fail: Fail) {
  const missing = REQUIRED.filter((c) => !header.has(c))
  if (missing.length)
    fail(
      line,
      missing[0],
      `missing column(s) ${missing.join(', ')}; the header must name ${REQUIRED.join(', ')}`
    )
  return missing.length === 0
}

/** One data line as a deck row, each bad field reported; the kind is what duplicates are keyed on. */
function deckRowOf(get: Cell, line: number, fail: Fail) {
  const { kind, category, prefix, destination } = destinationOf(get, line, fail)
  const money = (field: string, required: boolean) =>
    micros(get(field), required, field, line, fail)
  const peakMicros = money('peak', true)
  const offpeakMicros = money('offpeak', true)
  const weekendMicros = money('weekend', true)
  const connectionMicros = money('connection', false)
  const minimumMicros = money('minimum', false)
  const { initialS, subsequentS } = incrementsOf(get('increments'), line, fail)
  const effectiveFrom = get('effective_from') || '1970-01-01'
  if (!validDate(effectiveFrom))
    fail(line, 'effective_from', `"${effectiveFrom}" is not a YYYY-MM-DD date`)
  const row: DeckRow = {
    line,
    prefix,
    destination,
    category,
    peakMicros,
    offpeakMicros,
    weekendMicros,
    connectionMicros,
    minimumMicros,
    initialS,
    subsequentS,
    effectiveFrom,
  }
  return { kind, row }
}

function destinationOf(get: Cell, line: number, fail: Fail) {
  const category = get('category').toLowerCase()
  const kind = kindOfCategory(category)
  if (!category) fail(line, 'category', 'is required')
  else if (category.length > 32 || !/^[a-z0-9_ -]+$/.test(category))
    fail(line, 'category', `"${category}" is not a category name`)
  else if (kind === 'info') fail(line, 'category', `"${category}" is not priced by a rate deck`)
  const prefix = get('prefix').replace(/^\+/, '')
  if (prefix === '' ? kind === 'voice' || kind === 'info' : !/^\d{1,24}$/.test(prefix)) {
    fail(
      line,
      'prefix',
      prefix === '' ? 'is required for calls' : `"${prefix}" must be 1-24 digits`
    )
  }
  const destination = get('destination')
  if (!destination) fail(line, 'destination', 'is required')
  else if (destination.length > 120) fail(line, 'destination', 'is longer than 120 characters')
  return { kind, category, prefix, destination }
}

/** A price cell in micros; the plain-decimal fast path skips parseDecimal on most cells of a big deck. */
function micros(text: string, required: boolean, field: string, line: number, fail: Fail) {
  if (text === '') {
    if (required) fail(line, field, 'is required')
    return 0
  }
  const fast = FAST_MICROS.exec(text)
  if (fast) return Number(fast[1]) * 1_000_000 + (fast[2] ? Number(fast[2].padEnd(6, '0')) : 0)
  try {
    const v = parseDecimal(text, 6)
    if (v < 0) fail(line, field, 'must not be negative')
    return v
  } catch (error) {
    fail(line, field, (error as Error).message)
    return 0
  }
}

/** "initial/subsequent" billing increments in seconds; per-minute billing when the cell is empty. */
function incrementsOf(text: string, line: number, fail: Fail) {
  if (text === '') return { initialS: 60, subsequentS: 60 }
  const m = /^(\d{1,5})\s*\/\s*(\d{1,5})$/.exec(text)
  if (!m || Number(m[2]) < 1) {
    fail(line, 'increments', `"${text}" must be initial/subsequent seconds, e.g. 60/60 or 30/6`)
    return { initialS: 60, subsequentS: 60 }
  }
  return { initialS: Number(m[1]), subsequentS: Number(m[2]) }
}
