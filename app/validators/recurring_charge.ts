import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { parseDecimal } from '#lib/money'
import { MANUAL_CATEGORIES, type RecurringChargeInput } from '#consolidation/recurring_charges'
import { calendarDate as date, ofCustomer } from '#validators/rules'

/** Largest unit price / cost: £100,000.0000 (keeps price × quantity × days exact in a double). */
const MAX_AMOUNT_E4 = 1_000_000_000

/** An exact decimal amount ("12.50", "0.0125", "1,200") with at most 4 decimal places, 0 or more. */
const amountE4 = vine.createRule((value, _options, field) => {
  if (typeof value !== 'string') return
  let e4: number
  try {
    e4 = parseDecimal(value, 4)
  } catch {
    field.report('Enter an amount such as 12.50 (at most 4 decimal places)', 'amountE4', field)
    return
  }
  if (e4 < 0 || e4 > MAX_AMOUNT_E4)
    field.report('Enter an amount from 0 to 100,000', 'amountE4', field)
})

const notBeforeStart = vine.createRule((value, _options, field: FieldContext) => {
  const start = field.parent?.startsOn
  if (typeof value === 'string' && typeof start === 'string' && value < start) {
    field.report('The end date cannot be before the start date', 'notBeforeStart', field)
  }
})

const money = () =>
  vine
    .string()
    .trim()
    .use(amountE4())
    .transform((v) => parseDecimal(v, 4))

/** Create or edit a manual recurring charge; meta.customerId scopes employee and service. */
export const recurringChargeValidator = vine.compile(
  vine.object({
    description: vine.string().trim().minLength(1).maxLength(200),
    category: vine.enum(MANUAL_CATEGORIES),
    quantity: vine.number().withoutDecimals().min(1).max(10_000),
    unitPrice: money(),
    unitCost: money().optional(),
    startsOn: date(),
    endsOn: date().use(notBeforeStart()).optional(),
    employeeId: vine
      .number()
      .withoutDecimals()
      .positive()
      .use(ofCustomer('employees', 'an employee')())
      .optional(),
    serviceId: vine
      .number()
      .withoutDecimals()
      .positive()
      .use(ofCustomer('services', 'a service')())
      .optional(),
  })
)

recurringChargeValidator.messagesProvider = new SimpleMessagesProvider({
  'description.required': 'Enter a description',
  'quantity.min': 'The quantity must be at least 1',
  'unitPrice.required': 'Enter the unit price',
  'startsOn.required': 'Enter the start date',
  'category.enum': 'Choose a category',
})

/** End a charge: the last day it is charged (inclusive). */
export const endRecurringChargeValidator = vine.compile(vine.object({ endsOn: date() }))

/** The validated form as the recurring-charge module takes it (amounts already in e4). */
export function recurringChargeInput(
  v: Awaited<ReturnType<typeof recurringChargeValidator.validate>>
): RecurringChargeInput {
  return {
    description: v.description,
    category: v.category,
    quantity: v.quantity,
    unitPriceE4: v.unitPrice,
    unitCostE4: v.unitCost ?? 0,
    startsOn: v.startsOn,
    endsOn: v.endsOn ?? null,
    employeeId: v.employeeId ?? null,
    serviceId: v.serviceId ?? null,
  }
}
