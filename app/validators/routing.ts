import vine, { SimpleMessagesProvider } from '@vinejs/vine'

const customerExists = () =>
  vine
    .number()
    .positive()
    .withoutDecimals()
    .exists(async (db, value) => Boolean(await db.from('customers').where('id', value).first()))

/** Unknown services → Assign: an identifier of the queue to a customer (and an employee) from a date. */
export const assignUnknownValidator = vine.compile(
  vine.object({
    identifier: vine.string().trim().minLength(1).maxLength(254),
    customerId: customerExists(),
    employeeId: vine.number().positive().withoutDecimals().optional(),
    from: vine.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/),
  })
)
assignUnknownValidator.messagesProvider = new SimpleMessagesProvider({
  'customerId.required': 'Choose the customer the number belongs to',
  'customerId.database.exists': 'No such customer',
  'from.required': 'Give the date the customer has it from',
  'from.regex': 'The date must look like 2026-07-01',
})

/** Customer page → Supplier account aliases. */
export const accountAliasValidator = vine.compile(
  vine.object({
    alias: vine.string().trim().minLength(1).maxLength(64),
    connectorId: vine
      .number()
      .positive()
      .withoutDecimals()
      .exists(async (db, value) => Boolean(await db.from('connectors').where('id', value).first()))
      .optional(),
  })
)
accountAliasValidator.messagesProvider = new SimpleMessagesProvider({
  'alias.required': 'Give the code the supplier uses for this customer',
  'alias.maxLength': 'An alias is at most 64 characters',
  'connectorId.database.exists': 'No such feed',
})
