import type { ParsedRecord } from '#connectors/types'

/**
 * What a usage record may hold, checked per row before it reaches the database: a value the
 * columns cannot store (a 30-digit billsec, a 10,000-character description) is an error on
 * its line and field, not a database error failing the whole file, and text is never cut.
 */

/** usage_records.duration_s and quantity are INT columns. */
const INT_MAX = 2_147_483_647

/** The longest field accepted in any column of a call file (IMPORT_MAX_FIELD_CHARS, default 4,096). */
export function maxFieldChars() {
  const n = Number(process.env.IMPORT_MAX_FIELD_CHARS ?? 4096)
  return Number.isFinite(n) && n > 0 ? n : 4096
}

/** The first field of a row that is longer than the limit, as a row error. */
export function oversizedField(fields: string[], max = maxFieldChars(), names?: readonly string[]) {
  for (const [i, field] of fields.entries()) {
    if (field.length > max) {
      const name = names?.[i] ?? `column ${i + 1}`
      return {
        field: name,
        message: `${name} is ${field.length.toLocaleString('en-GB')} characters long, more than the ${max.toLocaleString('en-GB')} allowed`,
      }
    }
  }
  return null
}

const TEXT_LIMITS: [keyof ParsedRecord, string, number][] = [
  ['identifier', 'number', 254],
  ['destination', 'destination', 64],
  ['description', 'description', 255],
  ['category', 'category', 32],
  ['dedupeKey', 'reference', 128],
]

const NUMBER_LIMITS: [keyof ParsedRecord, string, number][] = [
  ['durationS', 'duration', INT_MAX],
  ['quantity', 'quantity', INT_MAX],
  ['volumeBytes', 'volume', Number.MAX_SAFE_INTEGER],
]

/** The first value of a parsed record its column cannot hold, or null. */
export function recordProblem(record: ParsedRecord): { field: string; message: string } | null {
  for (const [key, field, max] of NUMBER_LIMITS) {
    const v = record[key] as number
    if (!Number.isSafeInteger(v) || v < 0 || v > max) {
      return {
        field,
        message: `${field} ${v} is out of range (0 to ${max.toLocaleString('en-GB')})`,
      }
    }
  }
  if (record.costE4 !== null && !Number.isSafeInteger(record.costE4))
    return { field: 'cost', message: 'cost is out of range' }
  for (const [key, field, max] of TEXT_LIMITS) {
    const v = record[key] as string | null
    if (v && v.length > max)
      return {
        field,
        message: `${field} is ${v.length.toLocaleString('en-GB')} characters long, more than the ${max} allowed`,
      }
  }
  return null
}
