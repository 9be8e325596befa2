import vine from '@vinejs/vine'

const colour = () =>
  vine
    .string()
    .trim()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .nullable()
    .optional()

export const brandingValidator = vine.compile(
  vine.object({
    colour: colour(),
    lightColour: colour(),
    footer: vine.string().trim().maxLength(1000).nullable().optional(),
    senderName: vine.string().trim().maxLength(120).nullable().optional(),
    paymentDetails: vine.string().trim().maxLength(1000).nullable().optional(),
  })
)

/** The preview follows the form as it is typed: same fields, nothing saved. */
export const brandingPreviewValidator = vine.compile(
  vine.object({
    colour: colour(),
    lightColour: colour(),
    footer: vine.string().maxLength(1000).nullable().optional(),
  })
)

export const logoValidator = vine.compile(
  vine.object({
    // The type and the 512 KB limit are checked by #documents/branding, which says why in words.
    logo: vine.file({ size: '4mb' }),
  })
)
