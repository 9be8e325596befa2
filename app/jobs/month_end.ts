/* Bree job "month_end" (scheduled by `node ace scheduler:work`). */
import { runJobInWorker } from './worker.js'

await runJobInWorker('month_end')
