import vine from '@vinejs/vine'
import { WEBHOOK_EVENT_TYPES } from '#webhooks/catalogue'

export const webhookEndpointValidator = vine.compile(
  vine.object({
    url: vine.string().trim().minLength(8).maxLength(2048),
    description: vine.string().trim().maxLength(200).optional(),
    events: vine.array(vine.enum(WEBHOOK_EVENT_TYPES)).minLength(1),
    active: vine.boolean().optional(),
  })
)

export const webhookPageValidator = vine.compile(
  vine.object({ page: vine.number().withoutDecimals().min(1).max(1_000_000).optional() })
)
