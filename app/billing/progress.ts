/** A progress bar on stderr (stdout stays clean for --json). Redraws in place on a TTY, logs every 10% otherwise. */
export function stderrProgress(label: string) {
  let lastShown = -1
  return (done: number, total: number) => {
    if (total <= 0) return
    const pct = Math.floor((done / total) * 100)
    if (process.stderr.isTTY) {
      if (pct === lastShown && done !== total) return
      const width = 30
      const filled = Math.round((done / total) * width)
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`
      )
    } else {
      const step = Math.floor(pct / 10)
      if (step === lastShown && done !== total) return
      process.stderr.write(`${label} ${done}/${total}\n`)
      lastShown = step
      return
    }
    lastShown = pct
  }
}
