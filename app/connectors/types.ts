import type Connector from '#models/connector'
import type Customer from '#models/customer'

/** One usage record as a parser hands it to the import pipeline (plain data, no model). */
export interface ParsedRecord {
  dedupeKey: string
  identifier: string
  /** UTC, "YYYY-MM-DD HH:MM:SS" */
  occurredAt: string
  /** YYYY-MM in the customer's time zone */
  period: string
  category: string
  destination: string | null
  durationS: number
  volumeBytes: number
  quantity: number
  description: string | null
  costE4: number | null
}

/** What a parser makes of one CSV row. */
export type RowOutcome =
  | { kind: 'record'; record: ParsedRecord }
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
  parse(fields: string[], line: number): RowOutcome
}

export interface ParserContext {
  customer: Customer
  connector?: Connector | null
  /** Connector settings, or the manual import's options. */
  settings: Record<string, any>
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
  errors: { line: number; field: string | null; message: string }[]
  error?: string
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
