import type { HttpContext } from '@adonisjs/core/http'
import type { BillingError } from '#billing/runs'

const STATUS: Partial<Record<BillingError['code'], number>> = {
  not_found: 404,
  conflict: 409,
  state: 409,
  stale: 409,
}

/** A refused billing action: 404 / 409 by its code, else 422; the message says what to do. */
export function billingRefusal(response: HttpContext['response'], error: BillingError) {
  return response
    .status(STATUS[error.code] ?? 422)
    .send({ errors: [{ field: 'body', message: error.message, rule: error.code }] })
}
