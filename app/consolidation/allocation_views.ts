import type Customer from '#models/customer'
import { formatMoney } from '#lib/money'
import { allocationHealth, departmentTotals, money } from '#consolidation/queries'
import { unallocatedIdentifiers } from '#consolidation/unallocated'
import type { DepartmentTotalView } from '#consolidation/department_views'

/** Read model of a customer's allocation health page (allocation/show). */

/** A month's cost tied to people vs not; shares in % to 1 dp, null for an empty month. */
export type AllocationMonthView = Awaited<ReturnType<typeof allocationHealth>>[number]

export type TopUnallocatedView = {
  identifier: string
  records: number
  cost: string
  price: string
}

export type AllocationShowProps = {
  customer: { id: number; name: string }
  months: AllocationMonthView[]
  /** The newest month with rollups, null when there are none. */
  latest: string | null
  departments: DepartmentTotalView[]
  topUnallocated: TopUnallocatedView[]
}

/** The ten identifiers with the most unallocated cost. */
async function topUnallocated(customer: Customer): Promise<TopUnallocatedView[]> {
  const top = await unallocatedIdentifiers(customer.id, { limit: 10 })
  return top.map((t) => ({
    identifier: t.identifier,
    records: t.records,
    cost: money(t.costE4, customer.currency),
    price: formatMoney(t.priceMinor, customer.currency),
  }))
}

export async function allocationShowProps(customer: Customer): Promise<AllocationShowProps> {
  const months = await allocationHealth(customer.id, customer.currency)
  const latest = months[0]?.period ?? null
  const top = await topUnallocated(customer)
  return {
    customer: { id: customer.id, name: customer.name },
    months,
    latest,
    departments: latest ? await departmentTotals(customer.id, latest, customer.currency) : [],
    topUnallocated: top,
  }
}
