import vine from '@vinejs/vine'
import { parseDecimal } from '#lib/money'

/** "12.34" (or "1,234.50") → minor units; the regex has already refused anything else. */
const money = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{1,3}(,?\d{3})*(\.\d{1,2})?$|^\d+(\.\d{1,2})?$/)
    .transform((v) => parseDecimal(v, 2))

const allocations = () =>
  vine
    .array(
      vine.object({
        invoiceId: vine.number().withoutDecimals().positive(),
        amount: money().optional(),
      })
    )
    .optional()

export const recordPaymentValidator = vine.compile(
  vine.object({
    customerId: vine.number().withoutDecimals().positive(),
    receivedOn: vine
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/),
    amount: money(),
    method: vine.enum(['bank_transfer', 'card', 'cheque', 'cash', 'direct_debit', 'other']),
    reference: vine.string().trim().maxLength(140).optional(),
    note: vine.string().trim().maxLength(500).optional(),
    allocations: allocations(),
  })
)

export const allocateValidator = vine.compile(vine.object({ allocations: allocations() }))

export const allocateLineValidator = vine.compile(
  vine.object({
    customerId: vine.number().withoutDecimals().positive(),
    allocations: allocations(),
  })
)

export const applyCreditNoteValidator = vine.compile(
  vine.object({
    invoiceId: vine.number().withoutDecimals().positive(),
    amount: money(),
  })
)

export const statementProfileValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(100),
    dateColumn: vine.string().trim().minLength(1).maxLength(100),
    amountColumn: vine.string().trim().minLength(1).maxLength(100),
    referenceColumn: vine.string().trim().minLength(1).maxLength(100),
    descriptionColumn: vine.string().trim().maxLength(100).optional(),
    dateFormat: vine.string().trim().minLength(2).maxLength(32),
    delimiter: vine.string().fixedLength(1).optional(),
  })
)

export const statementImportValidator = vine.compile(
  vine.object({
    profileId: vine.number().withoutDecimals().positive(),
    file: vine.file({ size: '5mb', extnames: ['csv', 'txt'] }),
  })
)

export const statementRangeValidator = vine.compile(
  vine.object({
    from: vine
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/),
    to: vine
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/),
  })
)

export const dunningSettingsValidator = vine.compile(
  vine.object({
    enabled: vine.boolean().optional(),
    schedule: vine.string().trim().maxLength(100),
    suspendPortal: vine.boolean().optional(),
  })
)
