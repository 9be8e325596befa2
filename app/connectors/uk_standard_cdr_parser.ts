import { createHash } from 'node:crypto'
import { divRoundHalfUp, parseDecimal } from '#lib/money'
import { INTERNAL_CATEGORY } from '#lib/destinations'
import type { ParsedCharge, RowOutcome, RowParser } from '#connectors/types'
import { ImportFailure } from '#connectors/types'
import { NumberCache, ZoneClock, utcSql } from '#connectors/local_time'
import type { CompiledRules } from '#lib/destinations'

/**
 * The UK Standard CDR (FCS Billing Group, v3.01): a CSV with a header row. The call file's
 * 42 columns, in the standard's order. Suppliers name a few differently (Gamma: "Non-Charged
 * Party", "Caller Line Identity", "Call Cause Definition Required"); columns are found by
 * their header name, so an order or a subset of the optional ones is read just as well.
 */
export const UK_CDR_COLUMNS = [
  'Call Type',
  'Call Cause',
  'Customer Identifier',
  'Telephone Number Dialled',
  'Call Date',
  'Call Time',
  'Duration',
  'Bytes Transmitted',
  'Bytes Received',
  'Description',
  'Chargecode',
  'Time Band',
  'Salesprice',
  'Salesprice (pre-bundle)',
  'Extension',
  'DDI',
  'Grouping ID',
  'Call Class (Feature)',
  'Carrier',
  'Recording',
  'VAT',
  'Country of Origin',
  'Network',
  'Retail tariff code',
  'Remote Network',
  'APN',
  'Diverted Number',
  'Ring time',
  'Record ID',
  'Currency',
  'Presentation Number',
  'Network Access Reference',
  'NGCS Access Charge',
  'NGCS Service Charge',
  'Total Bytes Transferred',
  'User ID',
  'Onward Billing Reference',
  'Contract Name',
  'Bundle Name',
  'Bundle Allowance',
  'Discount Reference',
  'Routing Code',
] as const

/** Columns a call file must have (a file without one fails whole, naming it). */
export const UK_CDR_REQUIRED = [
  'Call Type',
  'Customer Identifier',
  'Telephone Number Dialled',
  'Call Date',
  'Call Time',
  'Duration',
  'Salesprice',
  'Record ID',
] as const

/**
 * The service-charge file (rentals, one-off charges, credits) as Tollgate reads it: found by a
 * "Charge Type" column instead of "Call Type". Names in brackets are accepted aliases.
 */
export const UK_CHARGE_COLUMNS = [
  'Charge Type',
  'Customer Identifier',
  'Telephone Number (CLI, Service ID)',
  'Description',
  'Chargecode (Product Code)',
  'Charge From Date (From Date, Start Date)',
  'Charge To Date (To Date, End Date)',
  'Quantity',
  'Salesprice (Amount, Cost)',
  'Currency',
  'Record ID',
] as const
export const UK_CHARGE_REQUIRED = ['Charge Type', 'Customer Identifier', 'Salesprice'] as const

/** header key (lower case, letters and digits only) → canonical name */
const ALIASES: Record<string, string> = {
  nonchargedparty: 'Telephone Number Dialled',
  callerlineidentity: 'Presentation Number',
  cli: 'Presentation Number',
  callcausedefinitionrequired: 'Call Cause',
  callclass: 'Call Class (Feature)',
  recordid: 'Record ID',
}
const CHARGE_ALIASES: Record<string, string> = {
  telephonenumber: 'Telephone Number',
  cli: 'Telephone Number',
  serviceid: 'Telephone Number',
  productcode: 'Chargecode',
  chargecode: 'Chargecode',
  chargefromdate: 'Charge From Date',
  fromdate: 'Charge From Date',
  startdate: 'Charge From Date',
  chargetodate: 'Charge To Date',
  todate: 'Charge To Date',
  enddate: 'Charge To Date',
  salesprice: 'Salesprice',
  amount: 'Salesprice',
  cost: 'Salesprice',
}
const keyOf = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '')

/** Call Type → category. Inbound is stored and only priced by a rate of category "inbound". */
const CALL_TYPES: Record<string, string> = {
  V: 'voice',
  I: 'inbound',
  D: 'data',
  G: 'data',
  S: 'sms',
  M: 'mms',
}
const CHARGE_TYPES: Record<string, ParsedCharge['chargeType']> = {
  'R': 'rental',
  'RENTAL': 'rental',
  'RECURRING': 'rental',
  'O': 'one_off',
  'ONEOFF': 'one_off',
  'ONE-OFF': 'one_off',
  'C': 'credit',
  'CREDIT': 'credit',
  'A': 'other',
  'ADJUSTMENT': 'other',
}

export interface UkCdrOptions {
  /** Zone of the file's dates and times (the standard's are UK local time). */
  zone: string
  /** Zone the usage period is counted in (the customer's). */
  periodZone: string
  /** Currency the file must be in (the tariff's / reseller's). */
  currency: string
  internal?: CompiledRules
}

/** Salesprice and the like: pounds with any number of decimals (up to 8) → e4, half-up. */
export function poundsToE4(text: string): number {
  const clean = text.replace(/[£\s]/g, '')
  return divRoundHalfUp(parseDecimal(clean, 8), 10_000)
}

/** DD/MM/YYYY (and HH:MM[:SS]) → parts, or null. */
export function ukDate(text: string): [number, number, number] | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim())
  return m ? [+m[3], +m[2], +m[1]] : null
}
function ukTime(text: string): [number, number, number] | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim())
  return m ? [+m[1], +m[2], m[3] ? +m[3] : 0] : null
}

/** The record's dedupe key: its Record ID, or a hash of the row without one (or with a longer one). */
function ukCdrKey(recordId: string, f: string[]): string {
  return recordId && recordId.length <= 120
    ? `ukcdr:${recordId}`
    : `ukcdr:h:${createHash('sha1').update(f.join('\x1f')).digest('hex')}`
}

export class UkStandardCdrParser implements RowParser {
  readonly csv = { delimiter: ',' }
  readonly hasHeader = true
  private index = new Map<string, number>()
  private layout: 'calls' | 'charges' = 'calls'
  private columns = 0
  private clock: ZoneClock
  private numbers: NumberCache

  constructor(private opts: UkCdrOptions) {
    this.clock = new ZoneClock(opts.zone, opts.periodZone)
    this.numbers = new NumberCache(200_000, opts.internal)
  }

  header(fields: string[]) {
    const keys = fields.map((f) => keyOf(f))
    this.layout = keys.includes('calltype')
      ? 'calls'
      : keys.includes('chargetype')
        ? 'charges'
        : 'calls'
    const canon =
      this.layout === 'calls'
        ? UK_CDR_COLUMNS
        : ([
            'Charge Type',
            'Customer Identifier',
            'Telephone Number',
            'Description',
            'Chargecode',
            'Charge From Date',
            'Charge To Date',
            'Quantity',
            'Salesprice',
            'Currency',
            'Record ID',
          ] as const)
    const byKey = new Map<string, string>((canon as readonly string[]).map((c) => [keyOf(c), c]))
    const aliases = this.layout === 'calls' ? ALIASES : CHARGE_ALIASES
    keys.forEach((k, i) => {
      const name = aliases[k] ?? byKey.get(k)
      if (name && !this.index.has(name)) this.index.set(name, i)
    })
    const required = this.layout === 'calls' ? UK_CDR_REQUIRED : UK_CHARGE_REQUIRED
    const missing = required.filter((c) => !this.index.has(c))
    if (missing.length) {
      throw new ImportFailure(
        `line 1: field ${missing[0]}: the header has no "${missing.join('", "')}" column` +
          (this.layout === 'calls'
            ? ' (not a UK Standard CDR v3.01 call file)'
            : ' (not a UK Standard CDR service-charge file)')
      )
    }
    this.columns = fields.length
  }

  private get(f: string[], name: string): string {
    const i = this.index.get(name)
    return i === undefined ? '' : (f[i] ?? '').trim()
  }

  parse(f: string[], line: number): RowOutcome {
    if (f.length < this.columns) {
      const missingAt = [...this.index.entries()]
        .filter(([, i]) => i >= f.length)
        .sort((a, b) => a[1] - b[1])[0]
      return {
        kind: 'error',
        field: missingAt?.[0] ?? null,
        message: `expected ${this.columns} columns, found ${f.length}`,
        structural: true,
      }
    }
    return this.layout === 'calls' ? this.call(f, line) : this.charge(f)
  }

  private cost(f: string[], field: string, allowNegative: boolean): number | { error: string } {
    const text = this.get(f, field)
    if (!text) return { error: 'no amount' }
    let e4: number
    try {
      e4 = poundsToE4(text)
    } catch (error) {
      return { error: `"${text}" is not an amount in pounds (${(error as Error).message})` }
    }
    if (e4 < 0 && !allowNegative) return { error: `negative amount "${text}"` }
    return e4
  }

  private currency(f: string[]): string | { error: string } {
    const c = this.get(f, 'Currency').toUpperCase()
    if (c && c !== this.opts.currency)
      return { error: `currency "${c}" is not the connector's ${this.opts.currency}` }
    return this.opts.currency
  }

  private call(f: string[], _line: number): RowOutcome {
    const typeText = this.get(f, 'Call Type').toUpperCase()
    const category = CALL_TYPES[typeText]
    if (!category)
      return {
        kind: 'error',
        field: 'Call Type',
        message: `unknown call type "${typeText}" (V, I, D, G, S or M)`,
      }
    const account = this.get(f, 'Customer Identifier')
    if (!account)
      return { kind: 'error', field: 'Customer Identifier', message: 'no customer identifier' }
    if (account.length > 100)
      return { kind: 'error', field: 'Customer Identifier', message: 'longer than 100 characters' }
    const ms = this.callStart(f)
    if (typeof ms !== 'number') return ms
    const durationText = this.get(f, 'Duration') || '0'
    if (!/^\d{1,9}$/.test(durationText))
      return {
        kind: 'error',
        field: 'Duration',
        message: `"${durationText}" is not a whole number of seconds`,
      }
    const volumeBytes = this.volumeBytes(f)
    if (typeof volumeBytes !== 'number') return volumeBytes
    // Suppliers omit Salesprice on some rows (bundled, zero-rated): no supplier cost, so the
    // connector's buy deck costs the record.
    const cost = this.get(f, 'Salesprice') === '' ? null : this.cost(f, 'Salesprice', false)
    if (cost !== null && typeof cost !== 'number')
      return { kind: 'error', field: 'Salesprice', message: cost.error }
    const currency = this.currency(f)
    if (typeof currency !== 'string')
      return { kind: 'error', field: 'Currency', message: currency.error }
    return this.callRecord(f, category, account, ms, Number(durationText), volumeBytes, cost)
  }

  /** The call's start (UTC milliseconds) from Call Date and Call Time, or the error naming them. */
  private callStart(f: string[]): number | RowOutcome {
    const date = ukDate(this.get(f, 'Call Date'))
    if (!date)
      return {
        kind: 'error',
        field: 'Call Date',
        message: `"${this.get(f, 'Call Date')}" is not a date (DD/MM/YYYY)`,
      }
    const time = ukTime(this.get(f, 'Call Time'))
    if (!time)
      return {
        kind: 'error',
        field: 'Call Time',
        message: `"${this.get(f, 'Call Time')}" is not a time (HH:MM:SS)`,
      }
    const ms = this.clock.toUtcMs(date[0], date[1], date[2], time[0], time[1], time[2])
    if (ms === null)
      return {
        kind: 'error',
        field: 'Call Date',
        message: `${this.get(f, 'Call Date')} ${this.get(f, 'Call Time')} is not a real date and time`,
      }
    return ms
  }

  /** Bytes sent plus received, else the total transferred; or the error naming the column. */
  private volumeBytes(f: string[]): number | RowOutcome {
    let volumeBytes = 0
    for (const col of ['Bytes Transmitted', 'Bytes Received']) {
      const v = this.get(f, col)
      if (v && !/^\d{1,15}$/.test(v))
        return { kind: 'error', field: col, message: `"${v}" is not a whole number of bytes` }
      volumeBytes += v ? Number(v) : 0
    }
    const total = this.get(f, 'Total Bytes Transferred')
    if (volumeBytes === 0 && total) {
      if (!/^\d{1,15}$/.test(total))
        return {
          kind: 'error',
          field: 'Total Bytes Transferred',
          message: `"${total}" is not a whole number of bytes`,
        }
      volumeBytes = Number(total)
    }
    return volumeBytes
  }

  /** The usage record of a call whose times and amounts have been read. */
  private callRecord(
    f: string[],
    category: string,
    account: string,
    ms: number,
    durationS: number,
    volumeBytes: number,
    cost: number | null
  ): RowOutcome {
    const recordId = this.get(f, 'Record ID')
    const diverted = this.get(f, 'Diverted Number')
    const isDivertedLeg = Boolean(diverted) || /^DIVERTED_OUTBOUND_/i.test(recordId)
    const dialledText = this.get(f, 'Telephone Number Dialled')
    const dialled =
      category === 'data'
        ? { value: this.get(f, 'APN') || null, internal: false }
        : this.numbers.dialled(dialledText)
    const chargedText = this.chargedNumber(f, category, isDivertedLeg, diverted, dialledText)
    if (!chargedText)
      return {
        kind: 'error',
        field: 'Presentation Number',
        message: 'no number to charge (Presentation Number, Extension or DDI)',
      }
    const identifier = /[a-z@]/i.test(chargedText)
      ? chargedText.toLowerCase()
      : this.numbers.normalise(chargedText)
    if (!identifier)
      return {
        kind: 'error',
        field: 'Presentation Number',
        message: `"${chargedText}" is not a number`,
      }
    if (category !== 'data' && !dialled.value)
      return { kind: 'error', field: 'Telephone Number Dialled', message: 'no number dialled' }

    let description = this.get(f, 'Description') || null
    if (isDivertedLeg && diverted)
      description = `${description ?? 'Call'} (diverted from ${diverted})`
    return {
      kind: 'record',
      record: {
        dedupeKey: ukCdrKey(recordId, f),
        identifier: identifier.slice(0, 254),
        occurredAt: utcSql(ms),
        period: this.clock.period(ms),
        category: category === 'voice' && dialled.internal ? INTERNAL_CATEGORY : category,
        destination: dialled.value,
        durationS,
        volumeBytes,
        quantity: 1,
        description: description ? description.slice(0, 255) : null,
        costE4: cost,
        account,
        chargeCode: this.get(f, 'Chargecode').slice(0, 32) || null,
        timeBand: this.get(f, 'Time Band').slice(0, 16) || null,
      },
    }
  }

  /**
   * Who is charged: the customer's own number. An inbound call is charged to the number it
   * reached; the outbound leg of a diverted call to the customer number that diverted it
   * (its CLI is the original caller's); any other call to its presentation number (CLI).
   */
  private chargedNumber(
    f: string[],
    category: string,
    isDivertedLeg: boolean,
    diverted: string,
    dialledText: string
  ): string {
    return category === 'inbound'
      ? this.get(f, 'DDI') || dialledText
      : (isDivertedLeg && diverted) ||
          this.get(f, 'Presentation Number') ||
          this.get(f, 'Extension') ||
          this.get(f, 'DDI')
  }

  private charge(f: string[]): RowOutcome {
    const typeText = this.get(f, 'Charge Type').toUpperCase().replace(/\s+/g, '')
    const chargeType = CHARGE_TYPES[typeText]
    if (!chargeType)
      return {
        kind: 'error',
        field: 'Charge Type',
        message: `unknown charge type "${typeText}" (R rental, O one-off, C credit, A adjustment)`,
      }
    const account = this.get(f, 'Customer Identifier')
    if (!account)
      return { kind: 'error', field: 'Customer Identifier', message: 'no customer identifier' }
    const cost = this.cost(f, 'Salesprice', true)
    if (typeof cost !== 'number') return { kind: 'error', field: 'Salesprice', message: cost.error }
    const currency = this.currency(f)
    if (typeof currency !== 'string')
      return { kind: 'error', field: 'Currency', message: currency.error }
    const dates: (string | null)[] = []
    for (const col of ['Charge From Date', 'Charge To Date']) {
      const text = this.get(f, col)
      if (!text) {
        dates.push(null)
        continue
      }
      const d = ukDate(text)
      if (!d || this.clock.toUtcMs(d[0], d[1], d[2], 12, 0, 0) === null)
        return { kind: 'error', field: col, message: `"${text}" is not a date (DD/MM/YYYY)` }
      dates.push(`${d[0]}-${String(d[1]).padStart(2, '0')}-${String(d[2]).padStart(2, '0')}`)
    }
    if (dates[0] && dates[1] && dates[1] < dates[0])
      return { kind: 'error', field: 'Charge To Date', message: 'before the from date' }
    const qText = this.get(f, 'Quantity') || '1'
    if (!/^\d{1,9}$/.test(qText))
      return { kind: 'error', field: 'Quantity', message: `"${qText}" is not a whole quantity` }
    const recordId = this.get(f, 'Record ID')
    const number = this.get(f, 'Telephone Number')
    return {
      kind: 'charge',
      charge: {
        dedupeKey: ukCdrKey(recordId, f),
        account: account.slice(0, 100),
        identifier: number ? (this.numbers.normalise(number) ?? number).slice(0, 254) : null,
        chargeType,
        chargeCode: this.get(f, 'Chargecode').slice(0, 32) || null,
        description: this.get(f, 'Description').slice(0, 255) || null,
        startsOn: dates[0],
        endsOn: dates[1],
        quantity: Number(qText),
        costE4: cost,
        currency,
      },
    }
  }
}
