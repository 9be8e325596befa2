/* Bree job "send_invoices" (scheduled by `node ace scheduler:work`). */
import { runJobInWorker } from './worker.js'

await runJobInWorker('send_invoices')
