import vine from '@vinejs/vine'
import { calendarDate as isoDate, period } from '#validators/rules'

const decimal = (scale: number) =>
  vine
    .string()
    .trim()
    .regex(new RegExp(`^\\d{1,9}(\\.\\d{1,${scale}})?$`))

/** Tariff header: markup is a percentage with up to 2 decimals ("15" = 15%). */
export const tariffValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(120),
    currency: vine
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{3}$/),
    defaultMarkup: decimal(2),
    description: vine.string().trim().maxLength(2000).optional(),
  })
)

/** One rate; prices in currency units with up to 6 decimals. */
export const rateValidator = vine.compile(
  vine.object({
    prefix: vine
      .string()
      .trim()
      .regex(/^\d{0,24}$/),
    destination: vine.string().trim().minLength(1).maxLength(120),
    category: vine
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9_ -]{1,32}$/),
    peak: decimal(6),
    offpeak: decimal(6),
    weekend: decimal(6),
    connection: decimal(6).optional(),
    minimum: decimal(6).optional(),
    increments: vine
      .string()
      .trim()
      .regex(/^\d{1,5}\/[1-9]\d{0,4}$/)
      .optional(),
    effectiveFrom: isoDate(),
    rerate: vine.boolean().optional(),
  })
)

export const assignCustomerValidator = vine.compile(
  vine.object({
    customerId: vine.number().withoutDecimals().positive(),
    startsOn: isoDate(),
  })
)

export const allowanceValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(120),
    categories: vine
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9_ -]+(\s*,\s*[a-z0-9_ -]+)*$/)
      .maxLength(255),
    unit: vine.enum(['seconds', 'kilobytes', 'messages']),
    quantity: vine.number().withoutDecimals().min(0),
    scope: vine.enum(['service', 'pooled']),
  })
)

export const rerateValidator = vine.compile(
  vine.object({
    period: period().optional(),
    customerId: vine.number().withoutDecimals().positive().optional(),
  })
)
