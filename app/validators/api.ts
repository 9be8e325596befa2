import vine from '@vinejs/vine'
import { period } from '#validators/rules'

/**
 * Query strings of the REST API (/api/v1): bounded integers, so a silly page is a 422 naming
 * the field, never a database error. perPage is at most 100.
 */
const pageFields = {
  page: vine.number().withoutDecimals().min(1).max(1_000_000).optional(),
  perPage: vine.number().withoutDecimals().min(1).max(100).optional(),
}
const id = () => vine.number().withoutDecimals().min(1).max(2_147_483_647).optional()

export const apiPageValidator = vine.compile(vine.object(pageFields))

export const apiSearchValidator = vine.compile(
  vine.object({ ...pageFields, search: vine.string().trim().maxLength(200).optional() })
)

export const apiServicesQueryValidator = vine.compile(
  vine.object({
    ...pageFields,
    search: vine.string().trim().maxLength(200).optional(),
    kind: vine.string().trim().maxLength(32).optional(),
  })
)

export const apiUsageQueryValidator = vine.compile(
  vine.object({ ...pageFields, customerId: id(), employeeId: id(), period: period().optional() })
)

export const apiInvoicesQueryValidator = vine.compile(
  vine.object({
    ...pageFields,
    customerId: id(),
    period: period().optional(),
    status: vine.enum(['draft', 'finalized']).optional(),
  })
)

export const apiPaymentsQueryValidator = vine.compile(
  vine.object({ ...pageFields, customerId: id() })
)

export const apiRunsQueryValidator = vine.compile(
  vine.object({
    ...pageFields,
    period: period().optional(),
    status: vine.enum(['draft', 'finalized', 'cancelled']).optional(),
  })
)

/** Create a billing run: the period, optionally some customers, the open-period and review acknowledgements. */
export const apiRunValidator = vine.compile(
  vine.object({
    period: period(),
    customerIds: vine
      .array(vine.number().withoutDecimals().positive())
      .minLength(1)
      .maxLength(5000)
      .optional(),
    openPeriod: vine.boolean().optional(),
  })
)

/**
 * Finalize a draft run: `allowUnrated` as the review page's checkbox (unrated records stay
 * unbilled); `acknowledge` acknowledges every open review flag first with that reason (the CLI's --acknowledge).
 */
export const apiFinalizeValidator = vine.compile(
  vine.object({
    allowUnrated: vine.boolean().optional(),
    acknowledge: vine.string().trim().minLength(3).maxLength(500).optional(),
  })
)

/** Acknowledge an invoice's review flags, with the reason the audit log keeps. */
export const apiAcknowledgeValidator = vine.compile(
  vine.object({ reason: vine.string().trim().minLength(3).maxLength(500) })
)

/** A new API token from the token page. */
export const apiTokenValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(120),
    write: vine.boolean().optional(),
    expiresInDays: vine.number().withoutDecimals().min(1).max(3650).optional(),
  })
)
