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
  const maxLine = options.maxLineChars ?? maxLineChars()
  const delim = options.delimiter ?? ','
  if (delim.length !== 1) throw new Error('the delimiter must be one character')
  const delimCode = delim.charCodeAt(0)
  let skipLines = Math.max(0, (options.fromLine ?? 1) - 1)
  let buf = ''
  let line = 1
  let first = true

  const text = await openText(path, options.limits)
  const iterator = text.chunks[Symbol.asyncIterator]()
  let eof = false
  while (!eof) {
    const next = await iterator.next()
    if (next.done) eof = true
    else buf += next.value as string
    if (first && buf.length) {
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1)
      first = false
    }
    let p = 0
    const len = buf.length
    while (skipLines > 0) {
      const nl = buf.indexOf('\n', p)
      if (nl === -1) break
      p = nl + 1
      line++
      skipLines--
    }
    if (skipLines > 0 && !eof) {
      buf = buf.slice(p)
      if (buf.length > maxLine) throw tooLong(line, maxLine)
      continue
    }
    // Parse whole records from p; stop at an incomplete one unless at EOF.
    yield (function* () {
      outer: while (p < len) {
        const c0 = buf.charCodeAt(p)
        if (c0 === LF) {
          p++
          line++
          continue
        }
        if (c0 === CR && (p + 1 < len ? buf.charCodeAt(p + 1) === LF : !eof ? false : true)) {
          if (p + 1 >= len && !eof) break
          p += p + 1 < len ? 2 : 1
          line++
          continue
        }
        const start = p
        const startLine = line
        let lineNo = line
        const fields: string[] = []
        let nl = buf.indexOf('\n', p)
        for (;;) {
          if (buf.charCodeAt(p) === QUOTE) {
            // Quoted field.
            let value = ''
            let from = p + 1
            let q: number
            for (;;) {
              q = buf.indexOf('"', from)
              if (q === -1) {
                if (!eof) {
                  p = start
                  line = startLine
                  break outer
                }
                throw new CsvSyntaxError(
                  'a quoted field is not closed (the file looks truncated or still being written)',
                  startLine
                )
              }
              if (q + 1 < len && buf.charCodeAt(q + 1) === QUOTE) {
                value += buf.slice(from, q + 1)
                from = q + 2
                continue
              }
              if (q + 1 >= len && !eof) {
                p = start
                line = startLine
                break outer
              }
              value += buf.slice(from, q)
              break
            }
            if (nl !== -1 && nl < q) {
              for (let i = nl; i < q && i !== -1; i = buf.indexOf('\n', i + 1)) lineNo++
              nl = buf.indexOf('\n', q)
            }
            fields.push(value)
            p = q + 1
            // Text between the closing quote and the delimiter is kept (lenient).
            let c = p < len ? buf.charCodeAt(p) : -1
            if (c !== delimCode && c !== LF && c !== CR && c !== -1) {
              const d = buf.indexOf(delim, p)
              const end = d !== -1 && (nl === -1 || d < nl) ? d : nl === -1 ? len : nl
              let e2 = end
              if (e2 > p && buf.charCodeAt(e2 - 1) === CR) e2--
              fields[fields.length - 1] += buf.slice(p, e2)
              p = e2
              c = p < len ? buf.charCodeAt(p) : -1
            }
            if (c === delimCode) {
              p++
              continue
            }
            if (c === CR) p++
            if (p < len && buf.charCodeAt(p) === LF) {
              p++
              lineNo++
            } else if (p >= len && !eof) {
              p = start
              line = startLine
              break outer
            }
            break
          } else {
            // Unquoted field: up to the next delimiter or the end of the line.
            if (nl === -1 && !eof) {
              p = start
              line = startLine
              break outer
            }
            const lineEnd = nl === -1 ? len : nl
            const d = buf.indexOf(delim, p)
            if (d !== -1 && d < lineEnd) {
              fields.push(buf.slice(p, d))
              p = d + 1
              continue
            }
            let e = lineEnd
            if (e > p && buf.charCodeAt(e - 1) === CR) e--
            fields.push(buf.slice(p, e))
            p = lineEnd + 1
            if (nl !== -1) lineNo++
            break
          }
        }
        line = lineNo
        if (p - start > maxLine) throw tooLong(startLine, maxLine)
        yield { fields, line: startLine }
      }
    })()
    buf = p >= len ? '' : buf.slice(p)
    if (buf.length > maxLine) throw tooLong(line, maxLine)
    options.onBytes?.(text.bytesRead())
  }
}
