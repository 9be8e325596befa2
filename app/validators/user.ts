import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { STAFF_PASSWORD_MIN } from '#lib/passwords'
import { notGuessable } from '#validators/password'

/** Staff passwords: at least STAFF_PASSWORD_MIN characters and not guessable (issue 13, L4). */
const staffPassword = () =>
  vine.string().minLength(STAFF_PASSWORD_MIN).maxLength(200).use(notGuessable())

const messages = new SimpleMessagesProvider({
  'password.minLength': `The password must be at least ${STAFF_PASSWORD_MIN} characters`,
})

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
    password: staffPassword(),
  })
)
createUserValidator.messagesProvider = messages

export const updateUserValidator = vine.compile(
  vine.object({
    role: vine.enum(['admin', 'billing', 'viewer'] as const),
    password: staffPassword().optional(),
  })
)
updateUserValidator.messagesProvider = messages
