/*
 * Runs inside a Bree worker thread: boots its own AdonisJS app (Ignitor →
 * createApp('console') → init → boot → start), runs one job, terminates the
 * app so the thread can exit, then tells Bree it is done.
 */
import { parentPort } from 'node:worker_threads'
import { bootConsoleApp } from '#lib/boot_console_app'

export async function runJobInWorker(name: string) {
  const app = await bootConsoleApp(new URL('../../', import.meta.url))
  let exitCode = 0
  try {
    const { JOBS } = await import('#jobs/tasks')
    const job = JOBS[name as keyof typeof JOBS]
    if (!job) throw new Error(`unknown job ${name}`)
    const outcome = await job()
    if (outcome.claimed && 'error' in outcome) {
      exitCode = 1
      const { default: logger } = await import('@adonisjs/core/services/logger')
      logger.error({ err: outcome.error, job: name }, 'job failed')
    }
  } finally {
    await app.terminate()
  }
  if (exitCode) process.exitCode = exitCode
  // The outcome is on record in job_runs; Bree only needs to know the worker finished.
  parentPort?.postMessage('done')
}
