import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import db from '@adonisjs/lucid/services/db'
import { calendarDate } from '#validators/rules'

/** The employee must belong to the customer chosen in the same form (tenancy). */
const ofChosenCustomer = vine.createRule(async (value, _options, field) => {
  if (typeof value !== 'number' || !field.isValid) return
  const row = await db
    .from('employees')
    .where('id', value)
    .where('customer_id', Number(field.parent?.customerId))
    .select('id')
    .first()
  if (!row) field.report('Choose an employee of this customer', 'ofChosenCustomer', field)
})

const customerExists = () =>
  vine
    .number()
    .positive()
    .withoutDecimals()
    .exists(async (query, value) =>
      Boolean(await query.from('customers').where('id', value).first())
    )

/** Unknown services → Assign: an identifier of the queue to a customer (and an employee) from a date. */
export const assignUnknownValidator = vine.compile(
  vine.object({
    identifier: vine.string().trim().minLength(1).maxLength(254),
    customerId: customerExists(),
    employeeId: vine.number().positive().withoutDecimals().use(ofChosenCustomer()).optional(),
    from: calendarDate(),
  })
)
assignUnknownValidator.messagesProvider = new SimpleMessagesProvider({
  'customerId.required': 'Choose the customer the number belongs to',
  'customerId.database.exists': 'No such customer',
  'from.required': 'Give the date the customer has it from',
})

/** Customer page → Supplier account aliases. */
export const accountAliasValidator = vine.compile(
  vine.object({
    alias: vine.string().trim().minLength(1).maxLength(64),
    connectorId: vine
      .number()
      .positive()
      .withoutDecimals()
      .exists(async (query, value) =>
        Boolean(await query.from('connectors').where('id', value).first())
      )
      .optional(),
  })
)
accountAliasValidator.messagesProvider = new SimpleMessagesProvider({
  'alias.required': 'Give the code the supplier uses for this customer',
  'alias.maxLength': 'An alias is at most 64 characters',
  'connectorId.database.exists': 'No such feed',
})
