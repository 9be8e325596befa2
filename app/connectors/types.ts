import type Connector from '#models/connector'
import type Customer from '#models/customer'

/** One usage record as a parser hands it to the import pipeline (plain data, no model). */
export interface ParsedRecord {
  /**
   * The call's identity for the whole reseller, whatever route brought it: the format's natural
   * key prefixed by the format family (`ast:`, `ukcdr:`, `prof:<profile>:`). Never route-specific
   * (no connector id, no customer id), so an upload and a connector delivering the same call
   * store it once.
   */
  dedupeKey: string
  identifier: string
  /**
   * The raw value of the format's account column (Asterisk accountcode, UK Standard CDR
   * Customer Identifier, a profile's account column), trimmed; null when the format or
   * profile has none or the cell is empty. Reseller-wide imports route by it first.
   */
  account: string | null
  /** UTC, "YYYY-MM-DD HH:MM:SS" */
  occurredAt: string
  /**
   * YYYY-MM in the customer's time zone. In a reseller-wide import the parser computes it in
   * the context's zone (contextTimeZone) and routing recomputes it in the routed customer's zone.
   */
  period: string
  category: string
  destination: string | null
  durationS: number
  volumeBytes: number
  quantity: number
  description: string | null
  costE4: number | null
  /** The supplier's charge code and time band (UK Standard CDR), kept for reconciliation. */
  chargeCode?: string | null
  timeBand?: string | null
}

/** A supplier's service charge (rental, one-off, credit) read from a file: a supplier-cost line. */
export interface ParsedCharge {
  dedupeKey: string
  account: string | null
  identifier: string | null
  chargeType: 'rental' | 'one_off' | 'credit' | 'other'
  chargeCode: string | null
  description: string | null
  /** YYYY-MM-DD */
  startsOn: string | null
  endsOn: string | null
  quantity: number
  costE4: number
  currency: string
}

/** What a parser makes of one CSV row. */
export type RowOutcome =
  | { kind: 'record'; record: ParsedRecord }
  /** A supplier service charge, stored in supplier_charges (not a usage record). */
  | { kind: 'charge'; charge: ParsedCharge }
  /** Read but not billable (e.g. an unanswered call): counted as read, not an error. */
  | { kind: 'skip' }
  /** The row is rejected and recorded as an import error. `structural` marks a wrong shape (column count). */
  | { kind: 'error'; field: string | null; message: string; structural?: boolean }

/** Turns CSV rows into usage records. One instance per file. */
export interface RowParser {
  /** Options for csv-parse (delimiter, header handling...). */
  readonly csv: { delimiter?: string; fromLine?: number; quote?: string | null }
  /** Called once with the header row when the format has one (rows before data are not records). */
  header?(fields: string[]): void
  /** True when the first row is a header. */
  readonly hasHeader: boolean
  /** The account column's name in this format, for errors about unknown accounts (default 'account'). */
  readonly accountField?: string
  parse(fields: string[], line: number): RowOutcome
}

export interface ParserContext {
  /** The customer a customer-scoped import is for; null or absent for a reseller-wide import (routed per record). */
  customer?: Customer | null
  connector?: Connector | null
  /** Connector settings, or the manual import's options. */
  settings: Record<string, any>
}

/** Zone used where no customer is known yet (reseller-wide imports, the unknown-services queue). */
export const RESELLER_TIME_ZONE = process.env.RESELLER_TIME_ZONE || 'Europe/London'

/** The zone a parser reads periods in: the customer's, else the feed's, else the reseller's. */
export function contextTimeZone(ctx: ParserContext): string {
  return ctx.customer?.timeZone || ctx.settings.timeZone || RESELLER_TIME_ZONE
}

/** Progress of a long operation, for the CLI bar and imports.progress_pct. */
export type ProgressFn = (done: number, total: number) => void

export interface RemoteFile {
  /** Name without the folder. */
  name: string
  /** Transport-specific location (absolute path or URL). */
  ref: string
  size?: number
}

/** Where a file-based connector's files come from. */
export interface Transport {
  readonly name: string
  /** Files waiting to be imported. */
  list(): Promise<RemoteFile[]>
  /** Copies one file to a local path. */
  download(file: RemoteFile, localPath: string): Promise<void>
  /** Moves a file out of the way after it was imported (processed/) or failed validation (failed/). */
  settle(file: RemoteFile, outcome: 'processed' | 'failed'): Promise<void>
  /** Checks that the far end answers and the credentials work; returns a short description. */
  test(): Promise<string>
  close(): Promise<void>
}

export interface ImportSummary {
  import_id: number
  status: 'completed' | 'failed' | 'skipped'
  read: number
  imported: number
  duplicates: number
  rejected: number
  /** Records to internal destinations (stored, never priced). */
  internal?: number
  /** Supplier service charges stored for reconciliation. */
  charges?: number
  errors: { line: number; field: string | null; message: string }[]
  error?: string
  /** Reseller-wide imports: records stored per customer account number. */
  routed?: Record<string, number>
  /** Reseller-wide imports: records of this file now in the unknown-services queue. */
  unknown?: number
  /** A skipped file: the import that first brought it. */
  same_as_import_id?: number
  /** For a failed import: true when retrying may help (database or transport trouble), false when the file is wrong. */
  retryable?: boolean
}

export interface PollResult {
  status: 'ok' | 'failed' | 'partial' | 'idle'
  message: string
  imports: ImportSummary[]
  detail?: Record<string, any>
}

export interface SettingField {
  key: string
  label: string
  type?: 'text' | 'number' | 'textarea' | 'json'
  help?: string
  /** what the connector uses when the field is left empty (shown in the field, filled in on new connectors) */
  default?: string
  placeholder?: string
}

/**
 * A connector type. File-based types give a row parser and work with any file
 * transport; API types (Microsoft 365) take their own snapshot.
 */
export interface ConnectorDefinition {
  type: string
  label: string
  transports: string[]
  /** Settings the UI offers for this type (beyond the transport's). */
  settings: SettingField[]
  /** Credential fields the UI offers (write-only). */
  credentials?: SettingField[]
  /** import format name recorded on imports (e.g. 'asterisk', 'profile:NAME'). */
  formatName?(ctx: ParserContext): string
  createParser?(ctx: ParserContext): Promise<RowParser>
  snapshot?(connector: Connector, onProgress?: ProgressFn): Promise<PollResult>
  test?(connector: Connector): Promise<string>
}

/** An import that could not be done; `invalid` means the file itself is wrong (retrying will not help). */
export class ImportFailure extends Error {
  constructor(
    message: string,
    public readonly kind: 'invalid' | 'error' = 'invalid'
  ) {
    super(message)
  }
}
