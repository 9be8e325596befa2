import vine from '@vinejs/vine'

export const connectorValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(120),
    type: vine.enum(['asterisk', 'csv_profile', 'uk_standard_cdr', 'm365']),
    transport: vine.enum(['folder', 'sftp', 'https', 'graph']),
    customerId: vine.number().positive().withoutDecimals().nullable().optional(),
    schedule: vine.string().trim().maxLength(64).nullable().optional(),
    enabled: vine.boolean().optional(),
    settings: vine.record(vine.any()).optional(),
    /** Write-only: blank fields keep the stored value. */
    credentials: vine.record(vine.string().nullable().optional()).optional(),
  })
)

export const mappingProfileValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(120),
    config: vine.record(vine.any()),
  })
)

export const profilePreviewValidator = vine.compile(
  vine.object({
    config: vine.record(vine.any()),
    sample: vine.string().maxLength(200_000),
    customerId: vine.number().positive().optional(),
    tariffId: vine.number().positive().optional(),
  })
)

/** The connector form's values for "Test" before saving; `id` when editing (stored credentials). */
export const connectionTestValidator = vine.compile(
  vine.object({
    id: vine.number().positive().withoutDecimals().nullable().optional(),
    type: vine.enum(['asterisk', 'csv_profile', 'm365']),
    transport: vine.enum(['folder', 'sftp', 'https', 'graph']),
    customerId: vine.number().positive().withoutDecimals().nullable().optional(),
    settings: vine.record(vine.any()).optional(),
    credentials: vine.record(vine.string().nullable().optional()).optional(),
  })
)
