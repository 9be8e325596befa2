import vine from '@vinejs/vine'

export const createUserValidator = vine.compile(
  vine.object({
    email: vine
      .string()
      .trim()
      .toLowerCase()
      .email()
      .unique(async (db, value) => !(await db.from('users').where('email', value).first())),
    fullName: vine.string().trim().maxLength(200).optional(),
    role: vine.enum(['admin', 'billing', 'viewer'] as const),
    password: vine.string().minLength(8).maxLength(200),
  })
)

export const updateUserValidator = vine.compile(
  vine.object({
    role: vine.enum(['admin', 'billing', 'viewer'] as const),
    password: vine.string().minLength(8).maxLength(200).optional(),
  })
)
