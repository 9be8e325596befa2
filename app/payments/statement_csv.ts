import { createHash } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import { DateTime } from 'luxon'
import { parseDecimal } from '#lib/money'

/**
 * Reads a bank statement CSV through a column profile. Pure: text in, lines (or every problem
 * with its line and field) out; nothing is written until the whole file reads cleanly.
 */

export interface StatementProfile {
  dateColumn: string
  amountColumn: string
  referenceColumn: string
  descriptionColumn: string | null
  dateFormat: string
  delimiter: string
}

export interface StatementLineInput {
  lineNumber: number
  bookedOn: string
  amountMinor: number
  reference: string
  description: string
  dedupeKey: string
}

export interface StatementProblem {
  line: number
  field: string
  message: string
}

export class StatementCsvError extends Error {
  constructor(
    readonly filename: string,
    readonly problems: StatementProblem[]
  ) {
    const first = problems[0]
    super(
      `${filename}: line ${first.line}, ${first.field}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`
    )
  }
}

const MAX_PROBLEMS = 50

/** "£1,234.50", "-12.00", "(12.00)", "12.00 CR" → minor units. */
export function parseStatementAmount(text: string): number {
  let t = text
    .trim()
    .replace(/^[£€$]|\s*(GBP|EUR|USD)$/i, '')
    .replace(/\s+/g, '')
  let negative = false
  const bracketed = /^\((.*)\)$/.exec(t)
  if (bracketed) {
    negative = true
    t = bracketed[1]
  }
  t = t.replace(/^([+-]?)[£€$]/, '$1')
  const value = parseDecimal(t, 2)
  return negative ? -value : value
}

function columnIndex(header: string[], name: string) {
  const wanted = name.trim().toLowerCase()
  return header.findIndex((h) => h.trim().toLowerCase() === wanted)
}

export function parseStatement(
  text: string,
  profile: StatementProfile,
  filename = 'statement.csv'
): StatementLineInput[] {
  const records = readRecords(text, profile, filename)
  const index = columnIndexes(records[0], profile, filename)
  const problems: StatementProblem[] = []
  const lines: StatementLineInput[] = []
  const seen = new Map<string, number>()
  for (let r = 1; r < records.length && problems.length < MAX_PROBLEMS; r++) {
    const row = records[r]
    const lineNumber = r + 1
    const cell = (key: string) =>
      index[key] === undefined ? '' : String(row[index[key]] ?? '').trim()
    const date = DateTime.fromFormat(cell('dateColumn'), profile.dateFormat, { zone: 'utc' })
    if (!date.isValid)
      problems.push({
        line: lineNumber,
        field: profile.dateColumn,
        message: `"${cell('dateColumn')}" is not a date in the format ${profile.dateFormat}`,
      })
    let amountMinor = 0
    try {
      amountMinor = parseStatementAmount(cell('amountColumn'))
    } catch (error) {
      problems.push({
        line: lineNumber,
        field: profile.amountColumn,
        message: `"${cell('amountColumn')}" is not an amount (${(error as Error).message})`,
      })
    }
    if (!date.isValid) continue
    const bookedOn = date.toISODate()!
    const reference = cell('referenceColumn').slice(0, 255)
    const description = cell('descriptionColumn').slice(0, 500)
    // The same line twice in one file is two payments; the n-th copy keeps its own key.
    const identity = `${bookedOn}|${amountMinor}|${reference}|${description}`
    const nth = (seen.get(identity) ?? 0) + 1
    seen.set(identity, nth)
    const dedupeKey = createHash('sha256').update(`${identity}|${nth}`).digest('hex')
    lines.push({ lineNumber, bookedOn, amountMinor, reference, description, dedupeKey })
  }
  if (problems.length) throw new StatementCsvError(filename, problems)
  return lines
}

/** The file's records, header first; a file that is not CSV or is empty is an error. */
function readRecords(text: string, profile: StatementProfile, filename: string): string[][] {
  let records: string[][]
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      delimiter: profile.delimiter || ',',
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
    })
  } catch (error) {
    const failure = error as Error & { lines?: number }
    throw new StatementCsvError(filename, [
      {
        line: Number(failure?.lines ?? 1),
        field: 'file',
        message: `not readable as CSV (${failure.message})`,
      },
    ])
  }
  if (!records.length)
    throw new StatementCsvError(filename, [
      { line: 1, field: 'file', message: 'the file is empty' },
    ])
  return records
}

/** The header position of each column the profile names; every missing one is an error. */
function columnIndexes(
  header: string[],
  profile: StatementProfile,
  filename: string
): Record<string, number> {
  const wanted: [keyof StatementProfile, string | null][] = [
    ['dateColumn', profile.dateColumn],
    ['amountColumn', profile.amountColumn],
    ['referenceColumn', profile.referenceColumn],
    ['descriptionColumn', profile.descriptionColumn],
  ]
  const index: Record<string, number> = {}
  const missing: StatementProblem[] = []
  for (const [key, name] of wanted) {
    if (!name) continue
    index[key] = columnIndex(header, name)
    if (index[key] < 0)
      missing.push({
        line: 1,
        field: name,
        message: `no column "${name}" in the header (found: ${header.join(', ')})`,
      })
  }
  if (missing.length) throw new StatementCsvError(filename, missing)
  return index
}

/** The invoice-number-like words of a reference ("INV-000123 thank you" → ["INV-000123", …]). */
export function referenceTokens(text: string): string[] {
  return String(text ?? '')
    .toUpperCase()
    .split(/[^A-Z0-9\-/_.]+/)
    .map((t) => t.replace(/^[.\-/_]+|[.\-/_]+$/g, ''))
    .filter((t) => t.length >= 3)
}
