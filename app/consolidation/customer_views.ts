import type Customer from '#models/customer'
import { formatScaled } from '#lib/money'
import { pageMeta, type PageMeta } from '#lib/db_helpers'
import { customerAliases, type AliasChoices } from '#consolidation/account_aliases'
import { unbilledUsageOf } from '#consolidation/unknown_services'
import { money } from '#consolidation/queries'
import { customerCounts, customerPage } from '#consolidation/customers'

/**
 * Read models of the customer pages (customers/index, customers/form and the customer's part of
 * customers/show; the account summary beside it comes from payments, see #payments/customer_show_views).
 */

const PAGE_SIZE = 50

export type CustomerListRow = {
  id: number
  accountNumber: string
  name: string
  billingEmail: string | null
  currency: string
  employeeCount: number
  miAddon: boolean
}

export type CustomersIndexProps = {
  search: string
  customers: CustomerListRow[]
  meta: PageMeta
}

/** A customer as its page and its form show it: the tax rate as a percentage ("20", "5.5"). */
export type CustomerDetails = {
  id: number
  accountNumber: string
  name: string
  billingEmail: string | null
  billingContacts: string | null
  address: string | null
  vatNumber: string | null
  taxRate: string
  currency: string
  timeZone: string
  paymentTermsDays: number
  billDay: number
  recurringBilling: 'advance' | 'arrears'
  itemiseCalls: boolean
  miAddon: boolean
  /** a key of INVOICE_TEMPLATES (#lib/invoice_templates) */
  invoiceTemplate: string
}

/** customers/form: null for a new customer. */
export type CustomerFormProps = {
  customer: CustomerDetails | null
}

export type CustomerCounts = Awaited<ReturnType<typeof customerCounts>>

/** What hangs off the customer and what is waiting to be billed (customers/show). */
export type CustomerOverview = {
  customer: CustomerDetails
  counts: CustomerCounts
  accountAliases: AliasChoices
  unbilled: { records: number; price: string }
}

/** One page of customers by name, filtered by name or account number. */
export async function customersIndexProps(
  search: string,
  page: number
): Promise<CustomersIndexProps> {
  const customers = await customerPage(search, page, PAGE_SIZE)
  return {
    search,
    customers: customers.all().map((c) => ({
      id: c.id,
      accountNumber: c.accountNumber,
      name: c.name,
      billingEmail: c.billingEmail,
      currency: c.currency,
      employeeCount: Number(c.$extras.employees_count),
      miAddon: c.miAddon,
    })),
    meta: pageMeta(customers),
  }
}

export function customerDetails(customer: Customer): CustomerDetails {
  return {
    id: customer.id,
    accountNumber: customer.accountNumber,
    name: customer.name,
    billingEmail: customer.billingEmail,
    billingContacts: customer.billingContacts,
    address: customer.address,
    vatNumber: customer.vatNumber,
    taxRate: formatScaled(customer.taxRateBp, 2).replace(/\.00$/, ''),
    currency: customer.currency,
    timeZone: customer.timeZone,
    paymentTermsDays: customer.paymentTermsDays,
    billDay: customer.billDay,
    recurringBilling: customer.recurringBilling,
    itemiseCalls: customer.itemiseCalls,
    miAddon: customer.miAddon,
    invoiceTemplate: customer.invoiceTemplate,
  }
}

export function customerFormProps(customer: Customer | null): CustomerFormProps {
  return { customer: customer ? customerDetails(customer) : null }
}

export async function customerOverview(customer: Customer): Promise<CustomerOverview> {
  const [counts, accountAliases, unbilled] = await Promise.all([
    customerCounts(customer.id),
    customerAliases(customer.id),
    unbilledUsageOf(customer),
  ])
  return {
    customer: customerDetails(customer),
    counts,
    accountAliases,
    unbilled: { records: unbilled.records, price: money(unbilled.priceE4, unbilled.currency) },
  }
}
