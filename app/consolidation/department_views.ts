import type Customer from '#models/customer'
import { departmentsOf } from '#consolidation/departments'
import { departmentTotals } from '#consolidation/queries'

/** Read model of a customer's departments page (employees/departments). */

/** A department's totals in one month (0: no department), from the rollups. */
export type DepartmentTotalView = {
  departmentId: number
  name: string
  records: number
  price: string
  cost: string
}

export type DepartmentView = {
  id: number
  name: string
  costCentre: string | null
  employees: number
}

export type DepartmentsIndexProps = {
  customer: { id: number; name: string }
  /** The month the totals are of. */
  period: string
  departments: DepartmentView[]
  totals: DepartmentTotalView[]
}

export async function departmentsIndexProps(
  customer: Customer,
  period: string
): Promise<DepartmentsIndexProps> {
  const departments = await departmentsOf(customer.id)
  return {
    customer: { id: customer.id, name: customer.name },
    period,
    departments: departments.map((d) => ({
      id: d.id,
      name: d.name,
      costCentre: d.costCentre,
      employees: d.employees,
    })),
    totals: await departmentTotals(customer.id, period, customer.currency),
  }
}
