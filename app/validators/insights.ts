import vine from '@vinejs/vine'
import { period } from '#validators/rules'
import { PORTAL_PASSWORD_MIN } from '#lib/passwords'
import { notGuessable } from '#validators/password'

/** Query string of every insights view (admin and portal). */
export const insightsQueryValidator = vine.compile(
  vine.object({
    from: period().optional(),
    to: period().optional(),
    period: period().optional(),
    category: vine.string().trim().maxLength(32).optional(),
    // -1 = unallocated usage, -2 = account charges (app/insights/money_model.ts)
    departmentId: vine.number().withoutDecimals().min(-2).optional(),
    page: vine.number().withoutDecimals().min(1).optional(),
    format: vine.enum(['csv', 'xlsx'] as const).optional(),
    table: vine.string().trim().maxLength(32).optional(),
  })
)

/** Query string of the admin margin report. */
export const marginQueryValidator = vine.compile(
  vine.object({
    from: period().optional(),
    to: period().optional(),
    customerId: vine.number().withoutDecimals().min(1).optional(),
    currency: vine
      .string()
      .trim()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    category: vine.string().trim().maxLength(32).optional(),
    format: vine.enum(['csv', 'xlsx'] as const).optional(),
    table: vine.string().trim().maxLength(32).optional(),
  })
)

export const portalInviteValidator = vine.compile(
  vine.object({
    email: vine.string().trim().email().maxLength(254),
    fullName: vine.string().trim().maxLength(200).optional(),
  })
)

export const miAddonValidator = vine.compile(
  vine.object({
    enabled: vine.boolean(),
  })
)

export const acceptInviteValidator = vine.compile(
  vine.object({
    password: vine
      .string()
      .minLength(PORTAL_PASSWORD_MIN)
      .maxLength(200)
      .use(notGuessable())
      .confirmed({ confirmationField: 'passwordConfirmation' }),
  })
)
