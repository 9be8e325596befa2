import vine from '@vinejs/vine'
import { calendarDate, decimalAt } from '#validators/rules'

/** Which documents an accounts export takes: a finalized run, or a date range (both ends included). */
export const accountsSelectionValidator = vine.compile(
  vine.object({
    runId: vine.number().withoutDecimals().positive().optional(),
    from: calendarDate().optional().requiredIfMissing('runId'),
    to: calendarDate().optional().requiredIfMissing('runId'),
  })
)

export const accountsExportValidator = vine.compile(
  vine.object({
    product: vine.enum(['xero', 'sage', 'quickbooks'] as const),
    file: vine.enum(['sales', 'payments'] as const),
    runId: vine.number().withoutDecimals().positive().optional(),
    from: calendarDate().optional().requiredIfMissing('runId'),
    to: calendarDate().optional().requiredIfMissing('runId'),
  })
)

export const accountingSettingsValidator = vine.compile(
  vine.object({
    accounts: vine.record(vine.string().trim().maxLength(10)),
    taxes: vine
      .array(
        vine.object({
          rate: decimalAt(2, {
            min: 0,
            max: 10000,
            message: 'A VAT rate is a percentage such as 20 or 17.5',
          }),
          xero: vine.string().trim().minLength(1).maxLength(50),
          sage: vine
            .string()
            .trim()
            .regex(/^[Tt]\d{1,2}$/),
          quickbooks: vine.string().trim().minLength(1).maxLength(50),
        })
      )
      .minLength(1),
    sageBankNominal: vine
      .string()
      .trim()
      .regex(/^\d{1,8}$/),
  })
)
