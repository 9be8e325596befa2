import { openText, type DecodeLimits } from '#connectors/text_decoder'

export interface CsvRow {
  fields: string[]
  /** 1-based line where the row starts. */
  line: number
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number
  ) {
    super(`line ${line}: ${message}`)
  }
}

/** The longest line (or quoted record) accepted, in characters: IMPORT_MAX_LINE_KB, default 64. */
export function maxLineChars() {
  const kb = Number(process.env.IMPORT_MAX_LINE_KB ?? 64)
  return Math.max(1, Number.isFinite(kb) ? kb : 64) * 1024
}

function tooLong(line: number, max: number) {
  const error = new CsvSyntaxError('', line)
  error.message = `line ${line} is longer than ${max.toLocaleString('en-GB')} characters (the IMPORT_MAX_LINE_KB limit): is this a CSV file with line breaks?`
  return error
}

const QUOTE = 34
const LF = 10
const CR = 13

/**
 * Where the scan of one file stands: the text buffered so far (`len` is its length when the
 * current chunk's rows were started) and the position and line reached. One per file, so the
 * per-record work adds no allocation.
 */
interface Scan {
  buf: string
  len: number
  p: number
  line: number
  eof: boolean
  /** The line reached inside the record being read (a quoted field may hold line breaks). */
  lineNo: number
  /** The first '\n' after the part of the record read so far, or -1. */
  nl: number
  readonly delim: string
  readonly delimCode: number
  readonly maxLine: number
}

/** readQuotedField's outcomes. */
const NEXT_FIELD = 0
const RECORD_END = 1
const INCOMPLETE = 2

/**
 * A streaming RFC 4180 reader built for big call files: quoted fields, doubled
 * quotes, quoted newlines, CRLF or LF, a UTF-8 BOM, blank lines skipped, and the
 * line each row starts on. The file goes through openText (encodings, .gz, .zip, binary
 * refused). A line (or a quoted record) longer than maxLineChars() is an error naming it, so
 * memory stays flat and the time linear: a record that never ends is not buffered for ever
 * and rescanned with every chunk. It scans with indexOf rather than per character, which
 * makes it several times faster than csv-parse on wide quoted rows (csv-parse is
 * used for previews and small reports). Yields, for each chunk read, an iterator that
 * splits that chunk's rows one at a time as it is consumed: a row's fields are garbage
 * as soon as the next row is read, rather than living as long as the whole chunk.
 */
export async function* readCsvRows(
  path: string,
  options: {
    delimiter?: string
    fromLine?: number
    /** Bytes of the file read so far (for progress against its size). */
    onBytes?: (bytes: number) => void
    maxLineChars?: number
    limits?: DecodeLimits
  } = {}
): AsyncGenerator<Iterable<CsvRow>> {
  const s = newScan(options.delimiter ?? ',', options.maxLineChars ?? maxLineChars())
  let skipLines = Math.max(0, (options.fromLine ?? 1) - 1)
  let first = true

  const text = await openText(path, options.limits)
  const iterator = text.chunks[Symbol.asyncIterator]()
  while (!s.eof) {
    const next = await iterator.next()
    if (next.done) s.eof = true
    else s.buf += next.value as string
    if (first && s.buf.length) {
      if (s.buf.charCodeAt(0) === 0xfeff) s.buf = s.buf.slice(1)
      first = false
    }
    s.p = 0
    s.len = s.buf.length
    skipLines = skipLeadingLines(s, skipLines)
    if (skipLines > 0 && !s.eof) {
      s.buf = s.buf.slice(s.p)
      if (s.buf.length > s.maxLine) throw tooLong(s.line, s.maxLine)
      continue
    }
    yield rowsOfChunk(s)
    s.buf = s.p >= s.len ? '' : s.buf.slice(s.p)
    if (s.buf.length > s.maxLine) throw tooLong(s.line, s.maxLine)
    options.onBytes?.(text.bytesRead())
  }
}

function newScan(delim: string, maxLine: number): Scan {
  if (delim.length !== 1) throw new Error('the delimiter must be one character')
  return {
    buf: '',
    len: 0,
    p: 0,
    line: 1,
    eof: false,
    lineNo: 1,
    nl: -1,
    delim,
    delimCode: delim.charCodeAt(0),
    maxLine,
  }
}

/** Passes over up to `count` lines before fromLine; returns how many are still to pass. */
function skipLeadingLines(s: Scan, count: number): number {
  let left = count
  while (left > 0) {
    const nl = s.buf.indexOf('\n', s.p)
    if (nl === -1) break
    s.p = nl + 1
    s.line++
    left--
  }
  return left
}

/** The whole records of the buffered text from s.p; stops at an incomplete one unless at EOF. */
function* rowsOfChunk(s: Scan): Generator<CsvRow> {
  while (s.p < s.len) {
    const c0 = s.buf.charCodeAt(s.p)
    if (c0 === LF) {
      s.p++
      s.line++
      continue
    }
    if (c0 === CR && (s.p + 1 < s.len ? s.buf.charCodeAt(s.p + 1) === LF : s.eof)) {
      s.p += s.p + 1 < s.len ? 2 : 1
      s.line++
      continue
    }
    const row = readRecord(s)
    if (row === undefined) return
    yield row
  }
}

/**
 * The record starting at s.p, with s.p and s.line moved past it; undefined (and s unmoved)
 * when the buffer ends inside it before EOF.
 */
function readRecord(s: Scan): CsvRow | undefined {
  const buf = s.buf
  const len = s.len
  const start = s.p
  const startLine = s.line
  const fields: string[] = []
  let p = start
  s.lineNo = startLine
  s.nl = buf.indexOf('\n', p)
  for (;;) {
    if (buf.charCodeAt(p) === QUOTE) {
      s.p = p
      const outcome = readQuotedField(s, fields)
      if (outcome === INCOMPLETE) {
        s.p = start
        s.line = startLine
        return undefined
      }
      p = s.p
      if (outcome === NEXT_FIELD) continue
      break
    }
    // Unquoted field: up to the next delimiter or the end of the line.
    const nl = s.nl
    if (nl === -1 && !s.eof) {
      s.p = start
      s.line = startLine
      return undefined
    }
    const lineEnd = nl === -1 ? len : nl
    const d = buf.indexOf(s.delim, p)
    if (d !== -1 && d < lineEnd) {
      fields.push(buf.slice(p, d))
      p = d + 1
      continue
    }
    let e = lineEnd
    if (e > p && buf.charCodeAt(e - 1) === CR) e--
    fields.push(buf.slice(p, e))
    p = lineEnd + 1
    if (nl !== -1) s.lineNo++
    break
  }
  s.p = p
  s.line = s.lineNo
  if (p - start > s.maxLine) throw tooLong(startLine, s.maxLine)
  return { fields, line: startLine }
}

/**
 * Reads the quoted field at s.p into `fields` and moves s.p past it and its delimiter or line
 * break; says whether the record goes on, ends, or is cut off by the end of the buffer.
 */
function readQuotedField(s: Scan, fields: string[]): number {
  const buf = s.buf
  const len = s.len
  let value = ''
  let from = s.p + 1
  let q: number
  for (;;) {
    q = buf.indexOf('"', from)
    if (q === -1) {
      if (!s.eof) return INCOMPLETE
      throw new CsvSyntaxError(
        'a quoted field is not closed (the file looks truncated or still being written)',
        s.line
      )
    }
    if (q + 1 < len && buf.charCodeAt(q + 1) === QUOTE) {
      value += buf.slice(from, q + 1)
      from = q + 2
      continue
    }
    if (q + 1 >= len && !s.eof) return INCOMPLETE
    value += buf.slice(from, q)
    break
  }
  let nl = s.nl
  if (nl !== -1 && nl < q) {
    for (let i = nl; i < q && i !== -1; i = buf.indexOf('\n', i + 1)) s.lineNo++
    nl = s.nl = buf.indexOf('\n', q)
  }
  fields.push(value)
  let p = q + 1
  // Text between the closing quote and the delimiter is kept (lenient).
  let c = p < len ? buf.charCodeAt(p) : -1
  if (c !== s.delimCode && c !== LF && c !== CR && c !== -1) {
    const d = buf.indexOf(s.delim, p)
    const end = d !== -1 && (nl === -1 || d < nl) ? d : nl === -1 ? len : nl
    let e2 = end
    if (e2 > p && buf.charCodeAt(e2 - 1) === CR) e2--
    fields[fields.length - 1] += buf.slice(p, e2)
    p = e2
    c = p < len ? buf.charCodeAt(p) : -1
  }
  if (c === s.delimCode) {
    s.p = p + 1
    return NEXT_FIELD
  }
  if (c === CR) p++
  if (p < len && buf.charCodeAt(p) === LF) {
    s.p = p + 1
    s.lineNo++
    return RECORD_END
  }
  if (p >= len && !s.eof) return INCOMPLETE
  s.p = p
  return RECORD_END
}
