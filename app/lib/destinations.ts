import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max'
import { DEFAULT_REGION } from '#lib/identifiers'

/**
 * What a dialled destination is, for rating. Only a number in the numbering plan is
 * ever priced; everything else a PBX writes into its "dst" column (extensions, feature
 * codes, short codes, voicemail, free text) is internal. A destination is never reduced
 * to the digits inside it: "*72*2010" is a call-forward feature code, not 722010 (Russia).
 */
export type Destination =
  | { kind: 'number'; /** E.164 digits without "+" (what deck prefixes match) */ digits: string }
  | { kind: 'internal'; reason: InternalReason }
  | { kind: 'none' }

export type InternalReason = 'extension' | 'feature code' | 'short code' | 'text'

/** Per-connector rules for the PBX's own numbering (connector settings). */
export interface InternalRules {
  /** Digit counts of the PBX's extensions, e.g. [3, 4]: such destinations are always internal. */
  extensionLengths?: number[]
  /** Regular expressions (whole destination) that are internal, e.g. "^9\\d{3}$". */
  patterns?: string[]
}

/** Characters people and switches use to write a number: removed before it is read. */
const FORMATTING = /[\s().\-/]/g
const FEATURE = /[*#]/
const DIGITS = /^\d+$/

export interface CompiledRules {
  lengths: Set<number>
  patterns: RegExp[]
}

/** Checks and compiles the rules once per file; a bad pattern is an error naming it. */
export function compileInternalRules(rules: InternalRules | null | undefined): CompiledRules {
  const lengths = new Set<number>()
  for (const n of rules?.extensionLengths ?? []) {
    const v = Number(n)
    if (!Number.isInteger(v) || v < 1 || v > 15)
      throw new Error(`internal number length "${n}" is not a whole number from 1 to 15`)
    lengths.add(v)
  }
  const patterns = (rules?.patterns ?? [])
    .filter((p) => String(p).trim() !== '')
    .map((p) => {
      try {
        return new RegExp(String(p))
      } catch {
        throw new Error(`internal number pattern "${p}" is not a regular expression`)
      }
    })
  return { lengths, patterns }
}

const NO_RULES: CompiledRules = { lengths: new Set(), patterns: [] }

/**
 * Classifies a dialled destination. A number is E.164 ("+44…"), international with
 * "00", or national in `region`, and valid for libphonenumber; a bare 10–15 digit
 * string is also tried as E.164 without its "+" (carrier files often drop it).
 * `deckKnows` lets a rate deck vouch for a number libphonenumber does not know yet
 * (new ranges): it is asked about the E.164 digits of a possible-but-invalid number.
 */
export function classifyDestination(
  raw: string | null | undefined,
  rules: CompiledRules = NO_RULES,
  region: CountryCode = DEFAULT_REGION,
  deckKnows?: (digits: string) => boolean
): Destination {
  const text = String(raw ?? '').trim()
  if (!text) return { kind: 'none' }
  for (const p of rules.patterns) if (p.test(text)) return { kind: 'internal', reason: 'extension' }
  if (FEATURE.test(text))
    return { kind: 'internal', reason: /[a-z]/i.test(text) ? 'text' : 'feature code' }
  let candidate = text.replace(FORMATTING, '')
  const plus = candidate.startsWith('+')
  if (plus) candidate = candidate.slice(1)
  if (!DIGITS.test(candidate)) return { kind: 'internal', reason: 'text' }
  if (!plus && rules.lengths.has(candidate.length)) return { kind: 'internal', reason: 'extension' }
  if (!plus && candidate.startsWith('00')) return e164(candidate.slice(2), deckKnows, true)
  if (plus) return e164(candidate, deckKnows, true)
  const national = parsePhoneNumberFromString(candidate, region)
  if (national?.isValid()) return { kind: 'number', digits: national.number.slice(1) }
  // Written with the national trunk prefix ("0…") and of a possible length: a number in a range
  // libphonenumber does not list (e.g. Ofcom's drama numbers); the deck decides whether it is priced.
  if (national?.isPossible() && candidate.startsWith('0'))
    return { kind: 'number', digits: national.number.slice(1) }
  if (candidate.length >= 10 && candidate.length <= 15) {
    const asE164 = e164(candidate, deckKnows, false)
    if (asE164.kind === 'number') return asE164
  }
  if (national?.isPossible() && deckKnows?.(national.number.slice(1)))
    return { kind: 'number', digits: national.number.slice(1) }
  return { kind: 'internal', reason: candidate.length <= 5 ? 'extension' : 'short code' }
}

/** `explicit`: written as international ("+", "00"), so a possible number is taken as one. */
function e164(
  digits: string,
  deckKnows: ((digits: string) => boolean) | undefined,
  explicit: boolean
): Destination {
  if (digits.length < 7 || digits.length > 15)
    return { kind: 'internal', reason: digits.length < 7 ? 'short code' : 'text' }
  const parsed = parsePhoneNumberFromString('+' + digits)
  if (parsed?.isValid()) return { kind: 'number', digits: parsed.number.slice(1) }
  if (parsed?.isPossible() && (explicit || deckKnows?.(digits)))
    return { kind: 'number', digits: parsed.number.slice(1) }
  return { kind: 'internal', reason: 'short code' }
}

/** Rules from a connector's settings (`internalLengths` "3,4", `internalPatterns` one per line). */
export function internalRulesFromSettings(
  settings: Record<string, any> | null | undefined
): CompiledRules {
  const lengths = String(settings?.internalLengths ?? '')
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map(Number)
  const patterns = Array.isArray(settings?.internalPatterns)
    ? settings!.internalPatterns
    : String(settings?.internalPatterns ?? '')
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean)
  return compileInternalRules({ extensionLengths: lengths, patterns })
}

/** The category internal calls are stored under: never priced, counted apart. */
export const INTERNAL_CATEGORY = 'internal'
