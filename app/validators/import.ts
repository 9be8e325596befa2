import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { isManualImportFormat } from '#connectors/registry'

/** Largest file the upload form takes (a 1M-row Master.csv is about 260 MB). */
export const MANUAL_IMPORT_MAX_BYTES = 500 * 1024 * 1024

/**
 * Imports → Upload a file: a customer (or scope "all": every record routed to its customer),
 * a format (asterisk or profile:NAME) and the file.
 */
export const manualImportValidator = vine.compile(
  vine.object({
    scope: vine.enum(['customer', 'all']).optional(),
    customerId: vine
      .number()
      .positive()
      .withoutDecimals()
      .exists(async (db, value) => Boolean(await db.from('customers').where('id', value).first()))
      .optional()
      .requiredWhen('scope', '!=', 'all'),
    format: vine
      .string()
      .trim()
      .exists(async (_db, value) => isManualImportFormat(value)),
    file: vine.file({ size: MANUAL_IMPORT_MAX_BYTES, extnames: ['csv', 'txt'] }),
  })
)

manualImportValidator.messagesProvider = new SimpleMessagesProvider({
  'customerId.required': 'Choose the customer the file bills, or All customers',
  'customerId.database.exists': 'No such customer',
  'format.required': 'Choose a format',
  'format.database.exists': 'Choose Asterisk Master.csv or a saved mapping profile',
  'file.required': 'Choose a file to upload',
})
