import { DateTime } from 'luxon'
import type Customer from '#models/customer'
import Employee from '#models/employee'
import Service from '#models/service'
import type RecurringCharge from '#models/recurring_charge'
import { formatScaled } from '#lib/money'
import { isoDayOf } from '#lib/iso_time'
import { MANUAL_CATEGORIES, listRecurringCharges } from '#consolidation/recurring_charges'
import { employeeOptions, type EmployeeOption } from '#consolidation/pickers'

/** Read model of a customer's recurring charges page (recurring_charges/index). */

/** A charge as the list shows it; prices as 4 dp decimal strings, dates "yyyy-MM-dd". */
export type RecurringChargeView = {
  id: number
  description: string
  category: string
  quantity: number
  unitPrice: string
  unitCost: string
  startsOn: string
  endsOn: string | null
  employeeId: number | null
  employee: string | null
  serviceId: number | null
  service: string | null
  origin: RecurringCharge['origin']
  /** On an invoice already: only ending it is allowed. */
  billed: boolean
}

export type RecurringChargesIndexProps = {
  customer: { id: number; name: string; currency: string; recurringBilling: string }
  categories: string[]
  /** Today in the customer's zone, the default start of a new charge. */
  today: string
  employees: { id: number; name: string; active: boolean }[]
  employeeOptions: EmployeeOption[]
  services: { id: number; label: string }[]
  charges: RecurringChargeView[]
}

function chargeView(charge: RecurringCharge, billed: boolean): RecurringChargeView {
  return {
    id: charge.id,
    description: charge.description,
    category: charge.category,
    quantity: charge.quantity,
    unitPrice: formatScaled(Number(charge.unitPriceE4), 4),
    unitCost: formatScaled(Number(charge.unitCostE4), 4),
    startsOn: isoDayOf(charge.startsOn),
    endsOn: charge.endsOn ? charge.endsOn.toISODate() : null,
    employeeId: charge.employeeId,
    employee: charge.employee?.name ?? null,
    serviceId: charge.serviceId,
    service: charge.service?.identifier ?? null,
    origin: charge.origin,
    billed,
  }
}

/** The employee and service pickers of the charge form. */
async function pickers(customerId: number) {
  const [employees, services] = await Promise.all([
    Employee.query()
      .where('customer_id', customerId)
      .orderBy('name')
      .select('id', 'name', 'active'),
    Service.query()
      .where('customer_id', customerId)
      .orderBy('identifier')
      .select('id', 'identifier', 'label')
      .limit(5000),
  ])
  return {
    employees: employees.map((e) => ({ id: e.id, name: e.name, active: !!e.active })),
    services: services.map((s) => ({
      id: s.id,
      label: s.label ? `${s.identifier} (${s.label})` : s.identifier,
    })),
  }
}

export async function recurringChargesIndexProps(
  customer: Customer
): Promise<RecurringChargesIndexProps> {
  const rows = await listRecurringCharges(customer.id)
  const { employees, services } = await pickers(customer.id)
  return {
    customer: {
      id: customer.id,
      name: customer.name,
      currency: customer.currency,
      recurringBilling: customer.recurringBilling,
    },
    categories: [...MANUAL_CATEGORIES],
    today: isoDayOf(DateTime.now().setZone(customer.timeZone)),
    employees,
    employeeOptions: await employeeOptions(customer.id, { activeOnly: false }),
    services,
    charges: rows.map(({ charge, billed }) => chargeView(charge, billed)),
  }
}
