import vine from '@vinejs/vine'
import { decimalAt } from '#validators/rules'

const text = (max: number) => vine.string().trim().maxLength(max).nullable().optional()
const country = () =>
  vine
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/)
    .nullable()
    .optional()
const scheme = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{4}$/)
    .nullable()
    .optional()

/** The customer's e-invoicing page. Rates are percentages ("20", "5"), kept as strings for parseDecimal. */
export const customerEInvoicingValidator = vine.compile(
  vine.object({
    buyerReference: text(200),
    poNumber: text(200),
    street: text(200),
    additional: text(200),
    city: text(100),
    postcode: text(20),
    region: text(100),
    country: country(),
    endpointScheme: scheme(),
    endpointId: text(100),
    vatCategory: vine.enum(['S', 'Z', 'E', 'AE'] as const),
    attachUbl: vine.boolean().optional(),
    rules: vine
      .array(
        vine.object({
          category: vine
            .string()
            .trim()
            .regex(/^[a-z0-9_]{1,32}$/),
          vatCategory: vine.enum(['S', 'Z', 'E', 'AE'] as const),
          rate: decimalAt(2, {
            min: 0,
            max: 10_000,
            message: 'Enter a rate between 0 and 100 with at most 2 decimal places',
          }),
        })
      )
      .maxLength(40)
      .optional(),
  })
)

/** The seller's (reseller's) e-invoicing settings. */
export const sellerEInvoicingValidator = vine.compile(
  vine.object({
    street: text(200),
    additional: text(200),
    city: text(100),
    postcode: text(20),
    region: text(100),
    country: country(),
    endpointScheme: scheme(),
    endpointId: text(100),
    paymentAccountId: text(64),
    paymentAccountName: text(120),
  })
)
