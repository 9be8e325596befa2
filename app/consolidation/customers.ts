import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { normaliseVatNumber } from '#lib/vat_number'
import { parseDecimal } from '#lib/money'
import { audit } from '#lib/audit'
import { DEFAULT_INVOICE_TEMPLATE } from '#lib/invoice_templates'
import type { Actor } from '#consolidation/admin_errors'

/** A customer as the form and the API send it, already validated (app/validators/customer.ts). */
export interface CustomerFields {
  accountNumber: string
  name: string
  billingEmail?: string | null
  billingContacts?: string | null
  address?: string | null
  vatNumber?: string | null
  /** Percentage as typed, "20" or "5.5": stored as basis points, never through a float. */
  taxRate: string
  currency: string
  timeZone: string
  paymentTermsDays: number
  billDay: number
  recurringBilling: 'advance' | 'arrears'
  itemiseCalls?: boolean | null
  /** A key of INVOICE_TEMPLATES; left out (the REST API), the customer keeps the one it has. */
  invoiceTemplate?: string | null
}

function toAttributes(input: CustomerFields) {
  return {
    accountNumber: input.accountNumber,
    name: input.name,
    billingEmail: input.billingEmail ?? null,
    billingContacts: input.billingContacts ?? null,
    address: input.address ?? null,
    vatNumber: input.vatNumber ? normaliseVatNumber(input.vatNumber) : null,
    taxRateBp: parseDecimal(input.taxRate, 2),
    currency: input.currency,
    timeZone: input.timeZone,
    paymentTermsDays: input.paymentTermsDays,
    billDay: input.billDay,
    recurringBilling: input.recurringBilling,
    itemiseCalls: Boolean(input.itemiseCalls),
    ...(input.invoiceTemplate ? { invoiceTemplate: input.invoiceTemplate } : {}),
  }
}

export async function createCustomer(input: CustomerFields, actor: Actor) {
  return db.transaction(async (trx) => {
    const created = await Customer.create(
      { invoiceTemplate: DEFAULT_INVOICE_TEMPLATE, ...toAttributes(input) },
      { client: trx }
    )
    await audit(
      {
        userId: actor.userId,
        action: 'customer.created',
        subjectType: 'customer',
        subjectId: created.id,
        changes: created.serialize(),
      },
      trx
    )
    return created
  })
}

export async function updateCustomer(customer: Customer, input: CustomerFields, actor: Actor) {
  await db.transaction(async (trx) => {
    customer.useTransaction(trx)
    customer.merge(toAttributes(input))
    const changes = customer.$dirty
    await customer.save()
    await audit(
      {
        userId: actor.userId,
        action: 'customer.updated',
        subjectType: 'customer',
        subjectId: customer.id,
        changes,
      },
      trx
    )
  })
  return customer
}

/** How much hangs off a customer: the counts on its page. */
export async function customerCounts(customerId: number) {
  const count = async (table: string) =>
    Number((await db.from(table).where('customer_id', customerId).count('* as n').first())?.n ?? 0)
  const [employees, services, departments, invoices] = await Promise.all([
    count('employees'),
    count('services'),
    count('departments'),
    count('invoices'),
  ])
  return { employees, services, departments, invoices }
}

/** Customers by name, filtered by a search over name and account number, one page. */
export async function customerPage(search: string, page: number, perPage: number) {
  return Customer.query()
    .if(search, (q) =>
      q.where((w) =>
        w.whereILike('name', `%${search}%`).orWhereILike('account_number', `%${search}%`)
      )
    )
    .withCount('employees')
    .orderBy('name')
    .orderBy('id')
    .paginate(page, perPage)
}
