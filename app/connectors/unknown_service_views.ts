import { DateTime } from 'luxon'
import Customer from '#models/customer'
import Employee from '#models/employee'
import { isoDayOf } from '#lib/iso_time'
import {
  listUnknownServices,
  type UnknownServiceRow,
  type UnknownServicesPage,
} from '#consolidation/unknown_services'
import { localTimeOf, money } from '#consolidation/queries'
import { RESELLER_TIME_ZONE } from '#connectors/types'

/** Read model of the reseller-level queue of identifiers no customer owns yet (unknown_services/index). */

/** A queue row with times in the reseller's zone ("yyyy-MM-dd HH:mm") and the cost formatted (null: the feed has none). */
export type UnknownServiceView = UnknownServiceRow & {
  cost: string | null
  /** The day first seen ("yyyy-MM-dd"), the default start of an assignment. */
  firstDate: string
}

export type CustomerChoice = { id: number; name: string; accountNumber: string }

export type UnknownServicesIndexProps = {
  search: string
  timeZone: string
  rows: UnknownServiceView[]
  meta: UnknownServicesPage['meta']
  totals: UnknownServicesPage['totals']
  customers: CustomerChoice[]
  /** Active employees of the customer chosen in the assign form. */
  employees: { id: number; name: string }[]
}

type Lazy<T> = () => Promise<T>

/**
 * The props as served: the pickers are functions, so Inertia computes them only when a response
 * includes them (the employee list is a partial reload once a customer is chosen).
 */
export type UnknownServicesIndexServed = Omit<
  UnknownServicesIndexProps,
  'customers' | 'employees'
> & {
  customers: Lazy<CustomerChoice[]>
  employees: Lazy<UnknownServicesIndexProps['employees']>
}

function rowView(r: UnknownServiceRow): UnknownServiceView {
  return {
    ...r,
    cost: r.costE4 === null ? null : money(r.costE4),
    firstSeen: localTimeOf(r.firstSeen, RESELLER_TIME_ZONE),
    lastSeen: localTimeOf(r.lastSeen, RESELLER_TIME_ZONE),
    firstDate: isoDayOf(DateTime.fromSQL(r.firstSeen, { zone: 'utc' }).setZone(RESELLER_TIME_ZONE)),
  }
}

async function customerChoices(): Promise<CustomerChoice[]> {
  const customers = await Customer.query().orderBy('name').select('id', 'name', 'account_number')
  return customers.map((c) => ({ id: c.id, name: c.name, accountNumber: c.accountNumber }))
}

async function activeEmployeesOf(customerId: number | null) {
  if (!customerId) return []
  const employees = await Employee.query()
    .where('customer_id', customerId)
    .where('active', true)
    .orderBy('name')
    .select('id', 'name')
  return employees.map((e) => ({ id: e.id, name: e.name }))
}

/** One page of the queue (`search` matches the identifier); `customerId`: the assign form's customer. */
export async function unknownServicesIndexProps(filter: {
  search: string
  page: number
  customerId: number | null
}): Promise<UnknownServicesIndexServed> {
  const queue = await listUnknownServices({ page: filter.page, search: filter.search })
  return {
    search: filter.search,
    timeZone: RESELLER_TIME_ZONE,
    rows: queue.rows.map(rowView),
    meta: queue.meta,
    totals: queue.totals,
    customers: customerChoices,
    employees: () => activeEmployeesOf(filter.customerId),
  }
}
