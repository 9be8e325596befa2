import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import type { AddressInfo } from 'node:net'
import { execFile } from 'node:child_process'

/**
 * A real SMTP server in the test process (smtp-server). It records every
 * message it accepts and every attempt it refuses. STARTTLS is disabled: the
 * package's built-in certificate has expired.
 */

export interface ReceivedMessage {
  from: string
  to: string[]
  raw: Buffer
}

export interface SmtpPeer {
  port: number
  messages: ReceivedMessage[]
  /** MAIL transactions that reached DATA, accepted or not */
  attempts: number
  /** Switch between accepting and refusing with a temporary (4xx) error. */
  failWith: { code: number; message: string } | null
  close(): Promise<void>
}

export async function startSmtpPeer(
  options: { failWith?: { code: number; message: string } | null } = {}
): Promise<SmtpPeer> {
  const peer: SmtpPeer = {
    port: 0,
    messages: [],
    attempts: 0,
    failWith: options.failWith ?? null,
    close: async () => {},
  }
  const serverOptions: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        peer.attempts++
        if (peer.failWith) {
          const error = new Error(peer.failWith.message) as Error & { responseCode: number }
          error.responseCode = peer.failWith.code
          return callback(error)
        }
        peer.messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        })
        callback()
      })
    },
  }
  const server = new SMTPServer(serverOptions)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  peer.port = (server.server.address() as AddressInfo).port
  peer.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return peer
}

/** The first attachment of a MIME message with the given content type, decoded. */
export function attachmentOf(
  raw: Buffer,
  contentType = 'application/pdf'
): { filename: string | null; content: Buffer } | null {
  const text = raw.toString('latin1')
  const at = text.toLowerCase().indexOf(`content-type: ${contentType}`)
  if (at < 0) return null
  const headerEnd =
    text.indexOf('\n\n', at) >= 0 ? text.indexOf('\n\n', at) : text.indexOf('\r\n\r\n', at)
  const headers = text.slice(at, headerEnd)
  const filename = /filename="?([^";\r\n]+)"?/i.exec(headers)?.[1] ?? null
  const rest = text.slice(headerEnd).replace(/^\s+/, '')
  const end = rest.indexOf('\n--')
  const body = (end >= 0 ? rest.slice(0, end) : rest).replace(/\s+/g, '')
  return { filename, content: Buffer.from(body, 'base64') }
}

export function header(raw: Buffer, name: string): string | null {
  const head = raw
    .toString('utf8')
    .split(/\r?\n\r?\n/)[0]
    .replace(/\r?\n[ \t]+/g, ' ')
  const match = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)
  return match ? match[1].trim() : null
}

/** A header with its RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=) decoded. */
export function decodedHeader(raw: Buffer, name: string) {
  const value = header(raw, name)
  if (value === null) return null
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_m, h) => String.fromCharCode(Number.parseInt(h, 16))),
            'latin1'
          ).toString('utf8')
    )
}

/** The decoded text/html part of a raw message (quoted-printable or base64). */
export function htmlPart(raw: Buffer) {
  const text = raw.toString('latin1')
  const at = text.toLowerCase().indexOf('content-type: text/html')
  const headEnd = text.indexOf('\r\n\r\n', at)
  const headers = text.slice(at, headEnd).toLowerCase()
  const rest = text.slice(headEnd + 4)
  const body = rest.slice(0, rest.indexOf('\r\n--'))
  if (headers.includes('base64'))
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  return Buffer.from(
    body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1'
  ).toString('utf8')
}

/** PDF → text with poppler's pdftotext (layout kept). */
export function pdfText(pdf: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'pdftotext',
      ['-layout', '-', '-'],
      { maxBuffer: 32 * 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(stdout))
    )
    child.stdin!.end(pdf)
  })
}
