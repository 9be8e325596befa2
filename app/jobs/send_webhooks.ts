/* Bree job "send_webhooks" (scheduled by `node ace scheduler:work`). */
import { runJobInWorker } from './worker.js'

await runJobInWorker('send_webhooks')
