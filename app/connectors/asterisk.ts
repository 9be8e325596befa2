import { createHash } from 'node:crypto'
import type { ConnectorDefinition, ParserContext, RowOutcome, RowParser } from '#connectors/types'
import { ImportFailure, contextTimeZone } from '#connectors/types'
import { NumberCache, ZoneClock, parseSqlLocal, utcSql } from '#connectors/local_time'
import { INTERNAL_CATEGORY, internalRulesFromSettings, type CompiledRules } from '#lib/destinations'

/**
 * Asterisk cdr_csv Master.csv: no header; accountcode, src, dst, dcontext, clid,
 * channel, dstchannel, lastapp, lastdata, start, answer, end, duration, billsec,
 * disposition, amaflags, then optional userfield, uniqueid.
 */
export const ASTERISK_COLUMNS = [
  'accountcode',
  'src',
  'dst',
  'dcontext',
  'clid',
  'channel',
  'dstchannel',
  'lastapp',
  'lastdata',
  'start',
  'answer',
  'end',
  'duration',
  'billsec',
  'disposition',
  'amaflags',
  'userfield',
  'uniqueid',
] as const

/** Longest dedupe key the table holds. */
const KEY_MAX = 128

/**
 * The reseller-wide identity of an Asterisk call: uniqueid is only unique per PBX and
 * restarts with it, so the call's start (UTC) and source go with it. Built from values
 * usage_records keeps, so existing records can be re-keyed the same way.
 */
export function asteriskKey(uniqueid: string, occurredAt: string, identifier: string): string {
  const key = `ast:${uniqueid}|${occurredAt}|${identifier}`
  return key.length <= KEY_MAX ? key : `ast:u:${createHash('sha1').update(key).digest('hex')}`
}

/** Without a uniqueid: a hash of the call's trimmed fields (line endings, order and padding do not count). */
export function asteriskRowKey(fields: string[]): string {
  return `ast:h:${createHash('sha1')
    .update(fields.map((f) => f.trim()).join('\x1f'))
    .digest('hex')}`
}

const SKIPPED = new Set(['NO ANSWER', 'BUSY', 'FAILED', 'CONGESTION'])
const INT = /^\d+$/

function columnCountError(n: number): RowOutcome {
  return {
    kind: 'error',
    field: null,
    message: `expected 16 to 18 columns, found ${n}`,
    structural: true,
  }
}

/** The first problem with the duration and billsec columns (trimmed), or null. */
function secondsError(duration: string, billsec: string): RowOutcome | null {
  if (!INT.test(duration)) {
    return {
      kind: 'error',
      field: 'duration',
      message: duration.startsWith('-')
        ? `negative duration "${duration}"`
        : `duration "${duration}" is not a whole number of seconds`,
    }
  }
  if (!INT.test(billsec)) {
    return {
      kind: 'error',
      field: 'billsec',
      message: billsec.startsWith('-')
        ? `negative billsec "${billsec}"`
        : `billsec "${billsec}" is not a whole number of seconds`,
    }
  }
  // duration_s is an INT column: more than 9 digits cannot be a call (and would fail the whole file).
  if (billsec.length > 9)
    return {
      kind: 'error',
      field: 'billsec',
      message: `billsec "${billsec.slice(0, 40)}" is out of range (at most 999,999,999 seconds)`,
    }
  if (duration.length > 9)
    return {
      kind: 'error',
      field: 'duration',
      message: `duration "${duration.slice(0, 40)}" is out of range (at most 999,999,999 seconds)`,
    }
  return null
}

export class AsteriskParser implements RowParser {
  readonly csv = { delimiter: ',' }
  readonly hasHeader = false
  readonly accountField = 'accountcode'
  private numbers: NumberCache
  private clock: ZoneClock

  constructor(zone: string, periodZone: string, internal?: CompiledRules) {
    this.clock = new ZoneClock(zone, periodZone)
    this.numbers = new NumberCache(200_000, internal)
  }

  parse(f: string[], _line: number): RowOutcome {
    const n = f.length
    if (n < 16 || n > 18) return columnCountError(n)
    const disposition = f[14].trim().toUpperCase()
    const duration = f[12].trim()
    const billsec = f[13].trim()
    const badSeconds = secondsError(duration, billsec)
    if (badSeconds !== null) return badSeconds
    const ms = parseSqlLocal(f[9].trim(), this.clock)
    if (ms === null)
      return {
        kind: 'error',
        field: 'start',
        message: `start "${f[9]}" is not a date and time (YYYY-MM-DD HH:MM:SS)`,
      }
    if (disposition !== 'ANSWERED') {
      if (SKIPPED.has(disposition)) return { kind: 'skip' }
      return { kind: 'error', field: 'disposition', message: `unknown disposition "${f[14]}"` }
    }
    const src = f[1].trim()
    if (!src) return { kind: 'error', field: 'src', message: 'no source number' }
    const identifier = this.numbers.normalise(src)
    if (identifier === null)
      return {
        kind: 'error',
        field: 'src',
        message: `source "${src}" is not a number or extension`,
      }
    const uniqueid = n === 18 ? f[17].trim() : ''
    const occurredAt = utcSql(ms)
    const dedupeKey = uniqueid ? asteriskKey(uniqueid, occurredAt, identifier) : asteriskRowKey(f)
    const account = f[0].trim()
    const dialled = this.numbers.dialled(f[2])
    return {
      kind: 'record',
      record: {
        dedupeKey,
        identifier,
        account: account ? account.slice(0, 64) : null,
        occurredAt,
        period: this.clock.period(ms),
        category: dialled.internal ? INTERNAL_CATEGORY : 'voice',
        destination: dialled.value,
        durationS: Number(billsec),
        volumeBytes: 0,
        quantity: 1,
        description: null,
        costE4: null,
      },
    }
  }
}

/** Connector settings that describe the PBX's own numbering (see #lib/destinations). */
export const INTERNAL_SETTINGS = [
  {
    key: 'internalLengths',
    label: 'Internal number lengths',
    help: 'Digit counts of the PBX extensions, e.g. "3,4": never priced',
  },
  {
    key: 'internalPatterns',
    label: 'Internal number patterns',
    type: 'textarea' as const,
    help: 'One regular expression per line, e.g. ^9\\d{3}$',
  },
]

/** The settings' rules, or an ImportFailure naming the bad one. */
export function internalRules(settings: Record<string, any>): CompiledRules {
  try {
    return internalRulesFromSettings(settings)
  } catch (error) {
    throw new ImportFailure(`connector settings: ${(error as Error).message}`)
  }
}

export const asteriskConnector: ConnectorDefinition = {
  type: 'asterisk',
  label: 'Asterisk Master.csv',
  transports: ['folder', 'sftp', 'https'],
  settings: [
    {
      key: 'timeZone',
      label: 'Phone system time zone',
      help: "IANA zone of the times in Master.csv; default the customer's (for all customers: the reseller's)",
    },
    {
      key: 'buyTariff',
      label: 'Buy deck (tariff name)',
      help: "The carrier's costs for these calls (a tariff of kind buy)",
    },
    ...INTERNAL_SETTINGS,
  ],
  formatName: () => 'asterisk',
  async createParser(ctx: ParserContext) {
    const periodZone = ctx.customer?.timeZone || contextTimeZone(ctx)
    return new AsteriskParser(
      ctx.settings.timeZone || periodZone,
      periodZone,
      internalRules(ctx.settings)
    )
  },
}
