import vine from '@vinejs/vine'

const period = vine
  .string()
  .trim()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/)

export const reconciliationQueryValidator = vine.compile(
  vine.object({
    period: period.clone().optional(),
    format: vine.enum(['csv']).optional(),
    section: vine
      .enum([
        'supplier_totals',
        'cost_no_price',
        'leakage',
        'billed_no_cost',
        'seats',
        'idle',
        'right_size',
      ])
      .optional(),
  })
)

export const supplierTotalValidator = vine.compile(
  vine.object({
    period,
    total: vine
      .string()
      .trim()
      .regex(/^£?\s*-?[\d,]{1,12}(\.\d{1,2})?$/),
  })
)

export const supplierBillCsvValidator = vine.compile(
  vine.object({
    period,
    column: vine.string().trim().maxLength(64).optional(),
    file: vine.file({ size: '10mb', extnames: ['csv', 'txt'] }),
  })
)
