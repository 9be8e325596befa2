/** The events a webhook endpoint can subscribe to, with the words the UI shows for them. */
export const WEBHOOK_EVENTS = {
  'invoice.finalized': 'An invoice was finalized (numbered and issued)',
  'invoice.paid': 'An invoice was paid in full',
  'invoice.overdue': 'An invoice passed its due date unpaid',
  'credit_note.issued': 'A credit note was issued',
  'import.completed': 'A usage import completed',
  'import.failed': 'A usage import failed',
  'bill_shock.detected': 'A customer or employee crossed a bill-shock threshold',
} as const

export type WebhookEventType = keyof typeof WEBHOOK_EVENTS

/** Sent by "Send test event" only, to every endpoint it is asked for, whatever it subscribes to. */
export const TEST_EVENT = 'webhook.test'

export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENTS) as WebhookEventType[]

/** Retry delays after a failed attempt, in minutes; after the last one the delivery is failed. */
export const WEBHOOK_BACKOFF_MINUTES = [1, 5, 30, 120, 720]
