import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type Customer from '#models/customer'
import type { BillingSettings } from '#billing/settings'
import { buyerSnapshot } from '#einvoice/buyer_snapshot'

/**
 * The details an invoice document prints besides its lines: customer,
 * supplier, and the names of the employees, departments and services on the
 * lines. Finalize stores this in invoices.snapshot so the document never
 * changes; a draft is described from the live data the same way.
 */
export async function describeInvoice(
  client: QueryClientContract,
  invoiceId: number,
  customer: Customer,
  supplier: BillingSettings
) {
  const lines = await client
    .from('invoice_lines')
    .where('invoice_id', invoiceId)
    .select('employee_id', 'department_id', 'service_id')
  const ids = (key: string) => [...new Set(lines.map((l) => l[key]).filter((v) => v !== null))]
  const employees = ids('employee_id').length
    ? await client
        .from('employees')
        .whereIn('id', ids('employee_id'))
        .select('id', 'name', 'employee_number', 'department_id')
    : []
  const departmentIds = [
    ...new Set([
      ...ids('department_id'),
      ...employees.map((e) => e.department_id).filter((v) => v !== null),
    ]),
  ]
  const departments = departmentIds.length
    ? await client
        .from('departments')
        .whereIn('id', departmentIds)
        .select('id', 'name', 'cost_centre')
    : []
  const services = ids('service_id').length
    ? await client
        .from('services')
        .whereIn('id', ids('service_id'))
        .select('id', 'kind', 'identifier', 'label')
    : []
  return {
    customer: {
      id: customer.id,
      account_number: customer.accountNumber,
      name: customer.name,
      address: customer.address,
      vat_number: customer.vatNumber,
      billing_email: customer.billingEmail,
      tax_rate_bp: customer.taxRateBp,
      currency: customer.currency,
      payment_terms_days: customer.paymentTermsDays,
      itemise_calls: customer.itemiseCalls,
      invoice_template: customer.invoiceTemplate,
      time_zone: customer.timeZone,
      ...buyerSnapshot(customer),
    },
    supplier: {
      name: supplier.supplier_name,
      address: supplier.supplier_address,
      vat_number: supplier.supplier_vat_number,
      company_number: supplier.supplier_company_number,
      email: supplier.supplier_email,
      phone: supplier.supplier_phone,
      payment_details: supplier.payment_details,
    },
    employees: Object.fromEntries(
      employees.map((e) => [
        e.id,
        { name: e.name, employee_number: e.employee_number, department_id: e.department_id },
      ])
    ),
    departments: Object.fromEntries(
      departments.map((d) => [d.id, { name: d.name, cost_centre: d.cost_centre }])
    ),
    services: Object.fromEntries(
      services.map((s) => [s.id, { kind: s.kind, identifier: s.identifier, label: s.label }])
    ),
  }
}
