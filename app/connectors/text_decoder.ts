import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { basename } from 'node:path'
import { createGunzip } from 'node:zlib'
import type { Readable } from 'node:stream'
import yauzl from 'yauzl'
import { ImportFailure } from '#connectors/types'

/**
 * Turns an uploaded or fetched file into text, whatever carriers send: plain, gzip (.gz) or zip
 * (one data file inside), in UTF-8, UTF-16 (with or without a byte order mark) or Windows-1252.
 * Binary files are refused with one error instead of thousands of rejected rows. Everything
 * streams: the sniffing looks at the first 64 KB only, and decompressed output is counted as it
 * flows so a zip or gzip bomb stops at the size limit rather than filling the disk or the heap.
 */

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252'

export interface DecodeLimits {
  /** Largest decompressed size accepted from a .gz or .zip file (bytes). */
  maxUncompressedBytes?: number
  /** Largest decompressed : compressed ratio accepted (zip bombs reach thousands). */
  maxRatio?: number
}

export interface DecodedText {
  /** Text chunks in file order. */
  chunks: AsyncIterable<string>
  /** The encoding detected (it becomes 'windows-1252' mid-file when plain ASCII turns out not to be UTF-8). */
  encoding(): TextEncodingName
  compression: 'gzip' | 'zip' | null
  /** Bytes of the file on disk read so far, for progress against the file's size. */
  bytesRead(): number
}

const SNIFF_BYTES = 64 * 1024
const MB = 1024 * 1024

export function decodeLimits(): Required<DecodeLimits> {
  return {
    maxUncompressedBytes: Number(process.env.IMPORT_MAX_UNCOMPRESSED_MB ?? 2048) * MB,
    maxRatio: Number(process.env.IMPORT_MAX_RATIO ?? 200),
  }
}

/** Opens `path` as text; throws ImportFailure for binary, encrypted or bomb-like files. */
export async function openText(path: string, limits: DecodeLimits = {}): Promise<DecodedText> {
  const { maxUncompressedBytes, maxRatio } = { ...decodeLimits(), ...limits }
  const magic = await readMagic(path)
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    const file = createReadStream(path, { highWaterMark: 64 * 1024 })
    const gunzip = file.pipe(createGunzip())
    file.on('error', (e) => gunzip.destroy(e))
    const bytes = bounded(
      gunzip,
      () => file.bytesRead,
      maxUncompressedBytes,
      maxRatio,
      basename(path)
    )
    return decodeBytes(bytes, 'gzip', () => file.bytesRead)
  }
  if (magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 0x03 && magic[3] === 0x04) {
    const entry = await openZipEntry(path, maxUncompressedBytes, maxRatio)
    let compressedRead = 0
    const bytes = bounded(
      entry.stream,
      () => compressedRead,
      maxUncompressedBytes,
      maxRatio,
      entry.name,
      (n) => {
        // Progress through a zip follows the decompressed bytes, scaled to the file's size.
        compressedRead = Math.round((n / Math.max(1, entry.uncompressedSize)) * entry.fileSize)
      }
    )
    return decodeBytes(bytes, 'zip', () => compressedRead)
  }
  const file = createReadStream(path, { highWaterMark: 64 * 1024 })
  return decodeBytes(file, null, () => file.bytesRead)
}

async function readMagic(path: string) {
  const handle = await open(path, 'r')
  try {
    const buf = Buffer.alloc(4)
    await handle.read(buf, 0, 4, 0)
    return buf
  } finally {
    await handle.close()
  }
}

/** Counts decompressed bytes and stops at the size or ratio limit. */
async function* bounded(
  source: Readable,
  compressedSoFar: () => number,
  maxBytes: number,
  maxRatio: number,
  name: string,
  onBytes?: (n: number) => void
): AsyncGenerator<Buffer> {
  let total = 0
  try {
    for await (const chunk of source) {
      total += (chunk as Buffer).length
      onBytes?.(total)
      if (total > maxBytes) {
        throw new ImportFailure(
          `${name} unpacks to more than ${Math.round(maxBytes / MB)} MB (the IMPORT_MAX_UNCOMPRESSED_MB limit): refused as a possible zip bomb`
        )
      }
      // Small files compress well; the ratio only counts once there is something to measure.
      if (total > 10 * MB && total / Math.max(1, compressedSoFar()) > maxRatio) {
        throw new ImportFailure(
          `${name} unpacks more than ${maxRatio} times its packed size (the IMPORT_MAX_RATIO limit): refused as a possible zip bomb`
        )
      }
      yield chunk as Buffer
    }
  } catch (error) {
    if (error instanceof ImportFailure) throw error
    throw new ImportFailure(`${name} cannot be unpacked: ${(error as Error).message}`)
  } finally {
    source.destroy()
  }
}

const IGNORED_ZIP_ENTRY = /(^|\/)(__MACOSX\/|\.[^/]*$|Thumbs\.db$)/

/** The one data file of a zip, checked against the limits by its declared sizes before reading. */
function openZipEntry(path: string, maxBytes: number, maxRatio: number) {
  return new Promise<{
    stream: Readable
    name: string
    uncompressedSize: number
    fileSize: number
  }>((resolve, reject) => {
    const fail = (message: string) => reject(new ImportFailure(message))
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true },
      (error, zip) => {
        if (error || !zip)
          return fail(`the zip file cannot be read: ${error?.message ?? 'unknown error'}`)
        const data: yauzl.Entry[] = []
        zip.on('error', (e: Error) => fail(`the zip file cannot be read: ${e.message}`))
        zip.on('entry', (entry: yauzl.Entry) => {
          if (!entry.fileName.endsWith('/') && !IGNORED_ZIP_ENTRY.test(entry.fileName))
            data.push(entry)
          zip.readEntry()
        })
        zip.on('end', () => {
          if (data.length !== 1) {
            zip.close()
            return fail(
              `the zip file holds ${data.length} data files (${
                data
                  .slice(0, 5)
                  .map((e) => e.fileName)
                  .join(', ') || 'none'
              }): it must hold exactly one`
            )
          }
          const entry = data[0]
          const problem = entry.isEncrypted()
            ? `${entry.fileName} in the zip file is encrypted`
            : entry.uncompressedSize > maxBytes
              ? `${entry.fileName} in the zip file unpacks to ${Math.round(entry.uncompressedSize / MB)} MB, more than the ${Math.round(maxBytes / MB)} MB IMPORT_MAX_UNCOMPRESSED_MB limit`
              : entry.uncompressedSize > 10 * MB &&
                  entry.uncompressedSize / Math.max(1, entry.compressedSize) > maxRatio
                ? `${entry.fileName} in the zip file unpacks ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))} times its packed size (more than the IMPORT_MAX_RATIO limit of ${maxRatio}): refused as a possible zip bomb`
                : null
          if (problem) {
            zip.close()
            return fail(problem)
          }
          zip.openReadStream(entry, (e, stream) => {
            if (e || !stream) {
              zip.close()
              return fail(
                `${entry.fileName} in the zip file cannot be read: ${e?.message ?? 'unknown error'}`
              )
            }
            stream.once('close', () => zip.close())
            resolve({
              stream,
              name: entry.fileName,
              uncompressedSize: entry.uncompressedSize,
              fileSize: Number((zip as any).fileSize ?? entry.compressedSize),
            })
          })
        })
        zip.readEntry()
      }
    )
  })
}

/** What the first bytes say: the encoding and how many BOM bytes to drop, or 'binary'. */
export function sniffEncoding(
  sample: Buffer,
  atEof: boolean
): { encoding: TextEncodingName; bom: number } | { binary: string } {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf)
    return { encoding: 'utf-8', bom: 3 }
  if (sample[0] === 0xff && sample[1] === 0xfe) {
    if (sample[2] === 0 && sample[3] === 0)
      return { binary: 'it starts with a UTF-32 byte order mark (save it as UTF-8 or UTF-16)' }
    return { encoding: 'utf-16le', bom: 2 }
  }
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', bom: 2 }

  const n = Math.min(sample.length, 8192) & ~1
  let evenNul = 0
  let oddNul = 0
  for (let i = 0; i < n; i += 2) {
    if (sample[i] === 0) evenNul++
    if (sample[i + 1] === 0) oddNul++
  }
  const pairs = n / 2
  // UTF-16 text of mostly Latin characters has a NUL in every other byte, and (almost) none in the others.
  if (pairs >= 2 && oddNul / pairs > 0.4 && evenNul / pairs < 0.05)
    return { encoding: 'utf-16le', bom: 0 }
  if (pairs >= 2 && evenNul / pairs > 0.4 && oddNul / pairs < 0.05)
    return { encoding: 'utf-16be', bom: 0 }

  let control = 0
  for (const [i, b] of sample.entries()) {
    if (b === 0) return { binary: `byte ${i + 1} is a NUL byte` }
    if ((b < 0x20 && b !== 9 && b !== 10 && b !== 12 && b !== 13) || b === 0x7f) control++
  }
  if (control > Math.max(2, sample.length / 100))
    return { binary: `${control} of its first ${sample.length} bytes are control characters` }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !atEof })
    return { encoding: 'utf-8', bom: 0 }
  } catch {
    return { encoding: 'windows-1252', bom: 0 }
  }
}

/**
 * Node's TextDecoder('windows-1252') decodes as ISO-8859-1 (0x80 → U+0080, not €), so the 32
 * characters where the two differ are mapped here.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'
const C1 = /[\u0080-\u009f]/
const C1_ALL = /[\u0080-\u009f]/g

class Windows1252Decoder {
  decode(bytes: Buffer) {
    const text = bytes.toString('latin1')
    return C1.test(text) ? text.replace(C1_ALL, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]) : text
  }
}

function textDecoder(encoding: TextEncodingName): {
  decode(bytes: Buffer, options?: { stream?: boolean }): string
} {
  return encoding === 'windows-1252'
    ? new Windows1252Decoder()
    : new TextDecoder(encoding, { fatal: encoding === 'utf-8' })
}

function binaryFailure(reason: string) {
  return new ImportFailure(
    `the file is binary, not text (${reason}): send the CSV file itself, plain or as .gz or .zip`
  )
}

function decodeBytes(
  source: AsyncIterable<Buffer>,
  compression: DecodedText['compression'],
  bytesRead: () => number
): DecodedText {
  let encoding: TextEncodingName = 'utf-8'
  async function* chunks(): AsyncGenerator<string> {
    const iterator = source[Symbol.asyncIterator]()
    // Sniff on the first 64 KB (or the whole file when smaller).
    const head: Buffer[] = []
    let headBytes = 0
    let eof = false
    while (headBytes < SNIFF_BYTES) {
      const next = await iterator.next()
      if (next.done) {
        eof = true
        break
      }
      head.push(next.value)
      headBytes += next.value.length
    }
    const sample = Buffer.concat(head)
    if (!sample.length) return
    const sniffed = sniffEncoding(sample, eof)
    if ('binary' in sniffed) throw binaryFailure(sniffed.binary)
    encoding = sniffed.encoding
    let decoder = textDecoder(encoding)
    let nonAscii = false
    let offset = 0
    const decode = (bytes: Buffer, last: boolean): string => {
      let text: string
      try {
        text = decoder.decode(bytes, { stream: !last })
      } catch {
        // Not UTF-8 after all. Up to here the file was plain ASCII, which reads the same in Windows-1252.
        if (nonAscii)
          throw new ImportFailure(
            `the file mixes encodings: near byte ${offset + 1} it stops being UTF-8`
          )
        encoding = 'windows-1252'
        decoder = textDecoder(encoding)
        text = decoder.decode(bytes, { stream: !last })
      }
      // eslint-disable-next-line no-control-regex -- the range starts at NUL on purpose: any byte above ASCII
      if (!nonAscii && encoding === 'utf-8' && /[^\x00-\x7f]/.test(text)) nonAscii = true
      if (text.includes('\u0000')) throw binaryFailure(`a NUL character near byte ${offset + 1}`)
      offset += bytes.length
      return text
    }
    const first = decode(sample.subarray(sniffed.bom), eof)
    if (first) yield first
    if (eof) return
    for (;;) {
      const next = await iterator.next()
      if (next.done) break
      const text = decode(next.value, false)
      if (text) yield text
    }
    const rest = decode(Buffer.alloc(0), true)
    if (rest) yield rest
  }
  return { chunks: chunks(), encoding: () => encoding, compression, bytesRead }
}
