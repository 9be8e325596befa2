import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { IANAZone } from 'luxon'
import { isValidVatNumber } from '#lib/vat_number'
import { INVOICE_TEMPLATE_KEYS } from '#lib/invoice_templates'

const vatNumber = vine.createRule((value, _options, field) => {
  if (typeof value !== 'string' || value === '') return
  if (!isValidVatNumber(value)) {
    field.report('Enter a valid VAT number, e.g. GB123456782', 'vatNumber', field)
  }
})

const timeZone = vine.createRule((value, _options, field) => {
  if (typeof value !== 'string' || !IANAZone.isValidZone(value)) {
    field.report('Enter a time zone such as Europe/London', 'timeZone', field)
  }
})

export const customerValidator = vine.compile(
  vine.object({
    accountNumber: vine
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9-]{2,32}$/)
      .unique(async (db, value, field) => {
        const row = await db
          .from('customers')
          .where('account_number', value)
          .whereNot('id', field.meta.customerId ?? 0)
          .first()
        return !row
      }),
    name: vine.string().trim().minLength(2).maxLength(200),
    billingEmail: vine.string().trim().email().optional(),
    billingContacts: vine.string().trim().maxLength(2000).optional(),
    address: vine.string().trim().maxLength(1000).optional(),
    vatNumber: vine.string().trim().use(vatNumber()).optional(),
    taxRate: vine
      .string()
      .trim()
      .regex(/^\d{1,2}(\.\d{1,2})?$/),
    currency: vine.enum(['GBP', 'EUR', 'USD']),
    timeZone: vine.string().trim().use(timeZone()),
    paymentTermsDays: vine.number().min(0).max(365),
    billDay: vine.number().min(1).max(28),
    recurringBilling: vine.enum(['advance', 'arrears']),
    itemiseCalls: vine.boolean().optional(),
    invoiceTemplate: vine.enum(INVOICE_TEMPLATE_KEYS).optional(),
  })
)

customerValidator.messagesProvider = new SimpleMessagesProvider({
  'accountNumber.regex': 'Use 2–32 letters, digits or dashes',
  'accountNumber.database.unique': 'Another customer already has this account number',
  'taxRate.regex': 'Enter a percentage such as 20 or 5.5',
  'billDay.max': 'Bill day must be between 1 and 28',
  'invoiceTemplate.enum': 'Choose one of the invoice layouts in the list',
})
