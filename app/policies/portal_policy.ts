import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'

/** Anything that belongs to one customer (employee, invoice, department, …). */
type Owned = { customerId: number }

/**
 * Portal users see only their own customer's data. Controllers turn a denial into 404, so another
 * customer's ids look exactly like ids that do not exist.
 */
export default class PortalPolicy extends BasePolicy {
  view(user: User, record: Owned | null | undefined) {
    return (
      Boolean(record) &&
      user.role === 'portal' &&
      user.customerId !== null &&
      user.customerId === record!.customerId
    )
  }

  /** Finalized invoices only: a draft is not the customer's business yet. */
  viewInvoice(user: User, invoice: (Owned & { status: string }) | null | undefined) {
    return this.view(user, invoice) && invoice!.status === 'finalized'
  }
}
