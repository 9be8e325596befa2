import db from '@adonisjs/lucid/services/db'
import type Invoice from '#models/invoice'
import type InvoiceLine from '#models/invoice_line'
import { formatMoney } from '#lib/money'
import { categoryLabel } from '#lib/labels'

/**
 * The invoice page's lines grouped by employee with a subtotal each (unallocated last), for review.
 * Names come from the invoice's snapshot once finalised, else from the live employees.
 */
export interface LineGroup {
  key: string
  employeeId: number | null
  name: string
  employeeNumber: string | null
  department: string | null
  subtotal: string
  subtotalMinor: number
  lines: {
    id: number
    kind: string
    category: string
    description: string
    quantity: number
    amount: string
    amountMinor: number
  }[]
}

export async function invoiceLineGroups(
  invoice: Invoice,
  lines: InvoiceLine[]
): Promise<LineGroup[]> {
  const ids = [...new Set(lines.map((l) => l.employeeId).filter((id): id is number => id !== null))]
  const snapshot = (invoice.snapshot ?? {}) as Record<string, any>
  const live = ids.length
    ? await db
        .from('employees as e')
        .leftJoin('departments as d', 'd.id', 'e.department_id')
        .whereIn('e.id', ids)
        .select('e.id', 'e.name', 'e.employee_number', 'd.name as department')
    : []
  const people = new Map<
    number,
    { name: string; employeeNumber: string | null; department: string | null }
  >()
  for (const r of live)
    people.set(Number(r.id), {
      name: r.name,
      employeeNumber: r.employee_number ?? null,
      department: r.department ?? null,
    })
  for (const id of ids) {
    const s = snapshot.employees?.[id]
    if (s?.name)
      people.set(id, {
        name: s.name,
        employeeNumber: s.employee_number ?? null,
        department:
          snapshot.departments?.[s.department_id]?.name ?? people.get(id)?.department ?? null,
      })
  }
  const groups = new Map<string, LineGroup>()
  for (const l of lines) {
    const key = l.employeeId === null ? 'unallocated' : String(l.employeeId)
    let g = groups.get(key)
    if (!g) {
      const p = l.employeeId === null ? null : people.get(l.employeeId)
      g = {
        key,
        employeeId: l.employeeId,
        name: l.employeeId === null ? 'Unallocated' : (p?.name ?? `Employee #${l.employeeId}`),
        employeeNumber: p?.employeeNumber ?? null,
        department: p?.department ?? null,
        subtotal: '',
        subtotalMinor: 0,
        lines: [],
      }
      groups.set(key, g)
    }
    g.subtotalMinor += l.amountMinor
    g.lines.push({
      id: l.id,
      kind: l.kind,
      category: categoryLabel(l.category),
      description: l.description,
      quantity: l.quantity,
      amount: formatMoney(l.amountMinor, invoice.currency),
      amountMinor: l.amountMinor,
    })
  }
  for (const g of groups.values()) g.subtotal = formatMoney(g.subtotalMinor, invoice.currency)
  return [...groups.values()].sort((a, b) => {
    if (a.employeeId === null) return 1
    if (b.employeeId === null) return -1
    return (a.department ?? '~').localeCompare(b.department ?? '~') || a.name.localeCompare(b.name)
  })
}
