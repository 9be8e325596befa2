/** A one-line progress bar on stderr (stdout stays clean for --json). */
export class ProgressBar {
  private last = 0
  private drawn = false
  constructor(
    private label: string,
    private stream: NodeJS.WriteStream = process.stderr
  ) {}

  update(done: number, total: number, extra = '') {
    const now = Date.now()
    if (now - this.last < 200 && done < total) return
    this.last = now
    const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0
    const width = 30
    const filled = Math.round((pct / 100) * width)
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(pct).padStart(3)}%${extra ? ' ' + extra : ''}`
    this.stream.write(this.stream.isTTY ? `\r${line}\x1b[K` : `${line}\n`)
    this.drawn = true
  }

  done() {
    if (this.drawn && this.stream.isTTY) this.stream.write('\n')
    this.drawn = false
  }
}
