import type { Readable } from 'node:stream'
import type { HttpContext } from '@adonisjs/core/http'

/**
 * The one way a file leaves the app for the browser (PDFs, CSV/XLSX exports, raw imports):
 * one filename sanitiser, so a name from a customer's file or an invoice number can never
 * break out of the Content-Disposition header, and the same no-store/nosniff headers on
 * every document.
 */

/** Runs of anything but letters, digits, dot, dash and underscore become one "-"; never empty, never hidden. */
export function safeFilename(name: string, fallback = 'download'): string {
  const safe = String(name)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 200)
  return safe === '' ? fallback : safe
}

export interface Download {
  /** Sanitised here; give it with its extension. */
  filename: string
  contentType: string
  body: string | Buffer | Uint8Array | Readable
  /** Shown in the browser (PDF frames) instead of saved. */
  inline?: boolean
  /** Extra headers, e.g. ETag or X-Frame-Options for a PDF shown in the admin's frame. */
  headers?: Record<string, string>
}

export function sendDownload(response: HttpContext['response'], download: Download) {
  response.header('Content-Type', download.contentType)
  response.header(
    'Content-Disposition',
    `${download.inline ? 'inline' : 'attachment'}; filename="${safeFilename(download.filename)}"`
  )
  response.header('Cache-Control', 'private, no-store')
  response.header('X-Content-Type-Options', 'nosniff')
  for (const [key, value] of Object.entries(download.headers ?? {})) response.header(key, value)
  const body = download.body
  if (typeof body === 'string' || body instanceof Uint8Array) return response.send(body)
  return response.stream(body)
}
