import vine from '@vinejs/vine'
import { period } from '#validators/rules'

export const createRunValidator = vine.compile(
  vine.object({
    period: period(),
    customerIds: vine.array(vine.number().withoutDecimals().positive()).optional(),
    /** "bill an open period": the explicit choice to bill a period that has not ended */
    openPeriod: vine.boolean().optional(),
  })
)

export const acknowledgeFlagsValidator = vine.compile(
  vine.object({
    reason: vine.string().trim().minLength(3).maxLength(500),
  })
)

export const guardSettingsValidator = vine.compile(
  vine.object({
    changeBandPercent: vine.number().min(0).max(1000),
    marginDropPercent: vine.number().min(0).max(100),
    /** pounds, comma separated: "500, 1000" */
    shockCustomer: vine
      .string()
      .trim()
      .regex(/^\d{1,7}(\.\d{1,2})?(\s*[,;]\s*\d{1,7}(\.\d{1,2})?)*$/),
    shockEmployee: vine
      .string()
      .trim()
      .regex(/^\d{1,7}(\.\d{1,2})?(\s*[,;]\s*\d{1,7}(\.\d{1,2})?)*$/),
    notifyCustomerIds: vine.array(vine.number().withoutDecimals().positive()).optional(),
  })
)

export const finalizeRunValidator = vine.compile(
  vine.object({
    allowUnrated: vine.boolean().optional(),
  })
)

export const creditNoteValidator = vine.compile(
  vine.object({
    reason: vine.string().trim().minLength(3).maxLength(500),
    /** Net amount as a decimal string ("12.50"); empty = the rest of the invoice */
    amount: vine
      .string()
      .trim()
      .regex(/^\d{1,9}(\.\d{1,2})?$/)
      .optional(),
  })
)

export const settingsValidator = vine.compile(
  vine.object({
    supplier_name: vine.string().trim().minLength(1).maxLength(200),
    supplier_address: vine.string().trim().maxLength(1000),
    supplier_vat_number: vine.string().trim().maxLength(32).optional(),
    supplier_company_number: vine.string().trim().maxLength(32).optional(),
    supplier_email: vine.string().trim().email().optional(),
    supplier_phone: vine.string().trim().maxLength(40).optional(),
    payment_details: vine.string().trim().maxLength(1000),
    invoice_prefix: vine
      .string()
      .trim()
      .regex(/^[A-Za-z0-9/_-]{0,12}$/)
      .optional(),
    credit_note_prefix: vine
      .string()
      .trim()
      .regex(/^[A-Za-z0-9/_-]{0,12}$/)
      .optional(),
    auto_finalize: vine.boolean().optional(),
    auto_send: vine.boolean().optional(),
  })
)
