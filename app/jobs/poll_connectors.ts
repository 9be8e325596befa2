/* Bree job "poll_connectors" (scheduled by `node ace scheduler:work`). */
import { runJobInWorker } from './worker.js'

await runJobInWorker('poll_connectors')
