import { spawn } from 'node:child_process'
import app from '@adonisjs/core/services/app'

export interface AceOutcome {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs `node ace <args>` as a real child process (its own app, its own connections), for the
 * crash tests: with TOLLGATE_FAULT_POINTS it kills itself with SIGKILL at a named point.
 */
export function ace(args: string[], env: Record<string, string> = {}, timeoutMs = 180_000) {
  return new Promise<AceOutcome>((resolve, reject) => {
    const child = spawn(process.execPath, ['ace', ...args], {
      cwd: app.makePath(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `node ace ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`
        )
      )
    }, timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}
