import { copyFile, mkdir, readdir, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { RemoteFile, Transport } from '#connectors/types'
import { globToRegExp } from '#connectors/transports/pattern'

/** A local drop folder: files matching the pattern are imported, then moved to processed/ (or failed/). */
export class FolderTransport implements Transport {
  readonly name = 'folder'
  constructor(private settings: { path?: string; pattern?: string }) {}

  private get root() {
    if (!this.settings.path) throw new Error('no folder path set')
    return this.settings.path
  }

  async list(): Promise<RemoteFile[]> {
    const re = globToRegExp(this.settings.pattern)
    const entries = await readdir(this.root, { withFileTypes: true })
    const files: RemoteFile[] = []
    for (const e of entries) {
      if (!e.isFile() || !re.test(e.name) || e.name.startsWith('.')) continue
      const ref = join(this.root, e.name)
      files.push({ name: e.name, ref, size: (await stat(ref)).size })
    }
    return files.sort((a, b) => a.name.localeCompare(b.name))
  }

  async download(file: RemoteFile, localPath: string) {
    await copyFile(file.ref, localPath)
  }

  async settle(file: RemoteFile, outcome: 'processed' | 'failed') {
    const dir = join(this.root, outcome)
    await mkdir(dir, { recursive: true })
    let target = join(dir, file.name)
    try {
      await stat(target)
      target = join(dir, `${Date.now()}-${file.name}`)
    } catch {}
    await rename(file.ref, target)
  }

  async test() {
    const files = await this.list()
    return `folder ${this.root} readable: ${files.length} file(s) waiting`
  }

  async close() {}
}
