import vine from '@vinejs/vine'

export const rerateListValidator = vine.compile(
  vine.object({
    customer: vine.number().withoutDecimals().positive().optional(),
  })
)

export const rerateChangesValidator = vine.compile(
  vine.object({
    destination: vine.string().trim().maxLength(120).optional(),
    reason: vine.enum(['rate', 'price', 'allowance', 'tariff', 'rated', 'unrated']).optional(),
    format: vine.enum(['csv']).optional(),
  })
)
