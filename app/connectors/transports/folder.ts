import { realpathSync } from 'node:fs'
import { copyFile, lstat, mkdir, readdir, realpath, rename, stat } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve } from 'node:path'
import app from '@adonisjs/core/services/app'
import type { RemoteFile, Transport } from '#connectors/types'
import { globToRegExp } from '#connectors/transports/pattern'

/**
 * Folders a folder connector may read, from CONNECTOR_FOLDER_ROOTS (comma list; relative entries
 * are taken from the app's folder), default `<app>/drop`. Read on each call, symlinks resolved.
 */
export function folderRoots(): string[] {
  const raw = process.env.CONNECTOR_FOLDER_ROOTS?.trim() || 'drop'
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const abs = isAbsolute(p) ? p : app.makePath(p)
      try {
        return realpathSync(abs)
      } catch {
        return resolve(abs)
      }
    })
}

const within = (root: string, path: string) => {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** The allowed root a resolved path lies in, or null. */
function rootOf(real: string) {
  return folderRoots().find((root) => within(root, real)) ?? null
}

const outside = (path: string) =>
  `the folder ${path} is outside the folders connectors may read (CONNECTOR_FOLDER_ROOTS: ${folderRoots().join(', ')})`

/**
 * Why a folder path may not be used (missing, not a folder, outside the allowed roots after
 * resolving symlinks), or null when it is fine. Synchronous, for the connector form's validation.
 */
export function folderPathProblem(path: string | undefined): string | null {
  if (!path || !String(path).trim()) return 'enter the folder to read files from'
  let real: string
  try {
    real = realpathSync(String(path))
  } catch {
    return `the folder ${path} does not exist or cannot be read`
  }
  return rootOf(real) ? null : outside(String(path))
}

/** A local drop folder: files matching the pattern are imported, then moved to processed/ (or failed/). */
export class FolderTransport implements Transport {
  readonly name = 'folder'
  constructor(private settings: { path?: string; pattern?: string }) {}

  private get root() {
    if (!this.settings.path) throw new Error('no folder path set')
    return this.settings.path
  }

  /** The folder itself, resolved, re-checked on every use (it may have become a symlink since). */
  private async realRoot() {
    const real = await realpath(this.root).catch(() => {
      throw new Error(`the folder ${this.root} does not exist or cannot be read`)
    })
    if (!rootOf(real)) throw new Error(outside(this.root))
    return real
  }

  /** A path inside the connector's folder, resolved; refused when it leads anywhere else. */
  private async inside(path: string) {
    const base = await this.realRoot()
    const real = await realpath(path)
    if (!within(base, real))
      throw new Error(`${path} leads outside the folder ${this.root}: not touched`)
    return real
  }

  async list(): Promise<RemoteFile[]> {
    const re = globToRegExp(this.settings.pattern)
    const base = await this.realRoot()
    const entries = await readdir(base, { withFileTypes: true })
    const files: RemoteFile[] = []
    for (const e of entries) {
      // Symlinks are not isFile(): a link to ~/.ssh/id_rsa in the drop folder is never listed.
      if (!e.isFile() || !re.test(e.name) || e.name.startsWith('.')) continue
      const ref = join(base, e.name)
      files.push({ name: e.name, ref, size: (await stat(ref)).size })
    }
    return files.sort((a, b) => a.name.localeCompare(b.name))
  }

  async download(file: RemoteFile, localPath: string) {
    const real = await this.inside(file.ref)
    if (!(await lstat(real)).isFile()) throw new Error(`${file.name} is not a plain file: not read`)
    await copyFile(real, localPath)
  }

  async settle(file: RemoteFile, outcome: 'processed' | 'failed') {
    const source = await this.inside(file.ref)
    const dir = join(await this.realRoot(), outcome)
    await mkdir(dir, { recursive: true })
    // processed/ or failed/ replaced by a link to elsewhere must not carry files out of the folder.
    const realDir = await this.inside(dir)
    let target = join(realDir, file.name)
    try {
      await stat(target)
      target = join(realDir, `${Date.now()}-${file.name}`)
    } catch {}
    await rename(source, target)
  }

  async test() {
    const files = await this.list()
    return `folder ${this.root} readable: ${files.length} file(s) waiting`
  }

  async close() {}
}
