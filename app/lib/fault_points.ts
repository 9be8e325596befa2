/**
 * Named crash points for the kill -9 tests (docs/operations.md lists them). Inert unless the
 * test-only variable TOLLGATE_FAULT_POINTS names the point: then the whole process is killed
 * with SIGKILL right there, as a power cut or the OOM killer would, with no cleanup at all.
 */
export function faultPoint(name: string) {
  const points = process.env.TOLLGATE_FAULT_POINTS
  if (!points) return
  if (
    points
      .split(',')
      .map((p) => p.trim())
      .includes(name)
  )
    process.kill(process.pid, 'SIGKILL')
}
