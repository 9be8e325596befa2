/* Bree job "dunning" (scheduled by `node ace scheduler:work`): payment reminders. */
import { runJobInWorker } from './worker.js'

await runJobInWorker('dunning')
