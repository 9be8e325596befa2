import { createWriteStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { RemoteFile, Transport } from '#connectors/types'

export interface HttpsSettings {
  url?: string
  /** basic | bearer | none (default: basic when a username is set, bearer when a token is set) */
  auth?: string
}

/**
 * HTTPS download of one file per poll, with basic or bearer auth. A file that has
 * not changed has the same SHA-256 and is recorded as skipped.
 */
export class HttpsTransport implements Transport {
  readonly name = 'https'
  constructor(
    private settings: HttpsSettings,
    private credentials: { username?: string; password?: string; token?: string }
  ) {}

  private headers(): Record<string, string> {
    const c = this.credentials
    const mode = this.settings.auth || (c.token ? 'bearer' : c.username ? 'basic' : 'none')
    if (mode === 'bearer') {
      if (!c.token) throw new Error('bearer auth needs a token')
      return { Authorization: `Bearer ${c.token}` }
    }
    if (mode === 'basic') {
      return { Authorization: `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}` }
    }
    return {}
  }

  private get url() {
    if (!this.settings.url) throw new Error('no URL set')
    const u = new URL(this.settings.url)
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('the URL must be https:// (or http://)')
    return u
  }

  async list(): Promise<RemoteFile[]> {
    const u = this.url
    const name = decodeURIComponent(u.pathname.split('/').filter(Boolean).pop() || u.hostname)
    return [{ name, ref: u.toString() }]
  }

  private async get(ref: string, method: 'GET' | 'HEAD' = 'GET') {
    const response = await fetch(ref, { method, headers: this.headers(), redirect: 'follow' })
    if (!response.ok) {
      await response.arrayBuffer().catch(() => {})
      throw new Error(`${this.url.host} answered ${response.status} ${response.statusText}`.trim())
    }
    return response
  }

  async download(file: RemoteFile, localPath: string) {
    const response = await this.get(file.ref)
    if (!response.body) throw new Error('empty response')
    await pipeline(Readable.fromWeb(response.body as any), createWriteStream(localPath))
  }

  async settle() {}

  async test() {
    const response = await this.get(this.url.toString())
    await response.body?.cancel()
    return `${this.url.host} answered ${response.status}${response.headers.get('content-length') ? `, ${response.headers.get('content-length')} bytes` : ''}`
  }

  async close() {}
}
