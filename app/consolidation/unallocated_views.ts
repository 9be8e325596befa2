import type Customer from '#models/customer'
import Department from '#models/department'
import Employee from '#models/employee'
import { formatMoney } from '#lib/money'
import {
  AUTO_MATCH_RULES,
  enabledRules,
  unallocatedIdentifiers,
  unallocatedOverview,
  type AutoMatchRule,
  type UnallocatedIdentifier,
} from '#consolidation/unallocated'
import { localTimeOf, money } from '#consolidation/queries'
import { KIND_LABELS } from '#consolidation/services'
import { employeeOptions, type EmployeeOption } from '#consolidation/pickers'

/** Read models of the unallocated pages (unallocated/overview, unallocated/index). */

type OverviewRow = Awaited<ReturnType<typeof unallocatedOverview>>[number]

export type UnallocatedCustomerView = OverviewRow & { cost: string; price: string }

export type UnallocatedOverviewProps = {
  customers: UnallocatedCustomerView[]
  totals: { records: number; identifiers: number }
}

/** An identifier of the queue: its kind in words, money formatted, times in the customer's zone. */
export type UnallocatedIdentifierView = Omit<UnallocatedIdentifier, 'kind'> & {
  kind: string | null
  cost: string
  price: string
}

export type UnallocatedIndexProps = {
  customer: { id: number; name: string; timeZone: string }
  search: string
  identifiers: UnallocatedIdentifierView[]
  totals: { records: number; cost: string; price: string }
  employees: { id: number; name: string; email: string | null }[]
  employeeOptions: EmployeeOption[]
  departments: { id: number; name: string }[]
  rules: { rule: AutoMatchRule; label: string; enabled: boolean }[]
}

/** Every customer with unallocated cost so far. */
export async function unallocatedOverviewProps(): Promise<UnallocatedOverviewProps> {
  const rows = await unallocatedOverview()
  return {
    customers: rows.map((r) => ({
      ...r,
      cost: money(r.costE4, r.currency),
      price: money(r.priceE4, r.currency),
    })),
    totals: {
      records: rows.reduce((n, r) => n + r.records, 0),
      identifiers: rows.reduce((n, r) => n + r.identifiers, 0),
    },
  }
}

function identifierView(r: UnallocatedIdentifier, customer: Customer): UnallocatedIdentifierView {
  return {
    ...r,
    kind: r.kind ? KIND_LABELS[r.kind] : null,
    cost: money(r.costE4, customer.currency),
    price: formatMoney(r.priceMinor, customer.currency),
    firstAt: localTimeOf(r.firstAt, customer.timeZone),
    lastAt: localTimeOf(r.lastAt, customer.timeZone),
  }
}

function queueTotals(rows: UnallocatedIdentifier[], currency: string) {
  return {
    records: rows.reduce((n, r) => n + r.records, 0),
    cost: money(
      rows.reduce((n, r) => n + r.costE4, 0),
      currency
    ),
    price: formatMoney(
      rows.reduce((n, r) => n + r.priceMinor, 0),
      currency
    ),
  }
}

async function ruleChoices(customerId: number): Promise<UnallocatedIndexProps['rules']> {
  const enabled = await enabledRules(customerId)
  return (Object.keys(AUTO_MATCH_RULES) as AutoMatchRule[]).map((rule) => ({
    rule,
    label: AUTO_MATCH_RULES[rule],
    enabled: enabled.includes(rule),
  }))
}

/** A customer's queue of unallocated identifiers (up to 1000), with the pickers to assign them. */
export async function unallocatedIndexProps(
  customer: Customer,
  search: string
): Promise<UnallocatedIndexProps> {
  const rows = await unallocatedIdentifiers(customer.id, { search, limit: 1000 })
  const employees = await Employee.query()
    .where('customer_id', customer.id)
    .where('active', true)
    .orderBy('name')
    .select('id', 'name', 'email')
  const departments = await Department.query().where('customer_id', customer.id).orderBy('name')
  const rules = await ruleChoices(customer.id)
  return {
    customer: { id: customer.id, name: customer.name, timeZone: customer.timeZone },
    search,
    identifiers: rows.map((r) => identifierView(r, customer)),
    totals: queueTotals(rows, customer.currency),
    employees: employees.map((e) => ({ id: e.id, name: e.name, email: e.email })),
    employeeOptions: await employeeOptions(customer.id),
    departments: departments.map((d) => ({ id: d.id, name: d.name })),
    rules,
  }
}
