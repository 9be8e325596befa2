import SftpClient from 'ssh2-sftp-client'
import { posix } from 'node:path'
import type { RemoteFile, Transport } from '#connectors/types'
import { globToRegExp } from '#connectors/transports/pattern'

export interface SftpSettings {
  host?: string
  port?: number | string
  username?: string
  path?: string
  pattern?: string
  /** SHA-256 fingerprint of the server's host key (base64, as ssh-keygen -l prints it without "SHA256:"); checked when set. */
  hostFingerprint?: string
}

/** SFTP: poll a remote folder, download matching files, move them to processed/ (or failed/). */
export class SftpTransport implements Transport {
  readonly name = 'sftp'
  private client: SftpClient | null = null

  constructor(
    private settings: SftpSettings,
    private credentials: { password?: string; privateKey?: string; passphrase?: string }
  ) {}

  private get dir() {
    return (this.settings.path || '.').replace(/\/+$/, '') || '/'
  }

  private async connect() {
    if (this.client) return this.client
    if (!this.settings.host || !this.settings.username)
      throw new Error('SFTP host and username are required')
    const client = new SftpClient('tollgate')
    const expected = this.settings.hostFingerprint
      ?.trim()
      .replace(/^SHA256:/, '')
      .replace(/=+$/, '')
    // The key the server showed, to name it when it is not the pinned one.
    let seen: string | null = null
    const connecting = client.connect({
      host: this.settings.host,
      port: Number(this.settings.port || 22),
      username: this.settings.username,
      password: this.credentials.password || undefined,
      privateKey: this.credentials.privateKey || undefined,
      passphrase: this.credentials.passphrase || undefined,
      readyTimeout: 15_000,
      retries: 0,
      hostHash: 'sha256',
      hostVerifier: expected
        ? (hash: string) => {
            seen = Buffer.from(hash, 'hex').toString('base64').replace(/=+$/, '')
            return seen === expected
          }
        : undefined,
    } as any)
    try {
      await connecting
    } catch (error) {
      if (expected && seen !== null && seen !== expected) {
        throw new Error(
          `the host key of ${this.settings.host} (SHA256:${seen}) does not match the connector's hostFingerprint (SHA256:${expected}); nothing was sent`
        )
      }
      throw error
    }
    this.client = client
    return client
  }

  async list(): Promise<RemoteFile[]> {
    const client = await this.connect()
    const re = globToRegExp(this.settings.pattern)
    const entries = await client.list(this.dir)
    return entries
      .filter((e) => e.type === '-' && re.test(e.name) && !e.name.startsWith('.'))
      .map((e) => ({ name: e.name, ref: posix.join(this.dir, e.name), size: e.size }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  async download(file: RemoteFile, localPath: string) {
    const client = await this.connect()
    await client.fastGet(file.ref, localPath)
  }

  async settle(file: RemoteFile, outcome: 'processed' | 'failed') {
    const client = await this.connect()
    const dir = posix.join(this.dir, outcome)
    if (!(await client.exists(dir))) await client.mkdir(dir, true)
    let target = posix.join(dir, file.name)
    if (await client.exists(target)) target = posix.join(dir, `${Date.now()}-${file.name}`)
    await client.rename(file.ref, target)
  }

  async test() {
    const files = await this.list()
    return `SFTP ${this.settings.host}:${this.dir} reachable: ${files.length} file(s) waiting`
  }

  async close() {
    const client = this.client
    this.client = null
    if (client) await client.end().catch(() => {})
  }
}
