import type Customer from '#models/customer'
import { customerOverview, type CustomerOverview } from '#consolidation/customer_views'
import { accountSummary, type AccountSummaryView } from '#payments/views'

/** Read model of a customer's page (customers/show): the overview and the account's figures. */
export type CustomerShowProps = CustomerOverview & {
  account: AccountSummaryView
}

export async function customerShowProps(customer: Customer): Promise<CustomerShowProps> {
  return { ...(await customerOverview(customer)), account: await accountSummary(customer.id) }
}
