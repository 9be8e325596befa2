import type InvoiceLine from '#models/invoice_line'
import { formatMoney } from '#lib/money'
import { plural, unitPriceE4 } from '#lib/format'

/**
 * The invoice's front-page tables that add up lines by person and department: cost by user with
 * department subtotals and a Microsoft 365 column, and the Microsoft 365 licences summary.
 * Pure functions over invoice lines; amounts are summed in minor units and formatted once.
 */

type Money = { minor: number; text: string }

export interface CostRow {
  name: string
  employee_number: string | null
  usage: string
  recurring: string
  m365: string
  total: string
}

export interface CostDepartment extends Omit<CostRow, 'employee_number'> {
  people: CostRow[]
  /** more than one person: a subtotal row is worth printing */
  has_subtotal: boolean
}

interface Buckets {
  usage: number
  recurring: number
  m365: number
}

/** Microsoft 365 licences are their own column; the rest splits into usage and other recurring charges. */
function bucketsOf(lines: InvoiceLine[]): Buckets {
  const b: Buckets = { usage: 0, recurring: 0, m365: 0 }
  for (const l of lines) {
    if (l.category === 'licence') b.m365 += l.amountMinor
    else if (l.kind === 'usage') b.usage += l.amountMinor
    else b.recurring += l.amountMinor
  }
  return b
}

function add(a: Buckets, b: Buckets): Buckets {
  return { usage: a.usage + b.usage, recurring: a.recurring + b.recurring, m365: a.m365 + b.m365 }
}

function texts(b: Buckets, currency: string) {
  const dash = (minor: number) => (minor === 0 ? '–' : formatMoney(minor, currency))
  return {
    usage: dash(b.usage),
    recurring: dash(b.recurring),
    m365: dash(b.m365),
    total: formatMoney(b.usage + b.recurring + b.m365, currency),
  }
}

export interface PersonLines {
  name: string
  employee_number: string | null
  department: string | null
  lines: InvoiceLine[]
}

export function costByDepartment(
  people: PersonLines[],
  unallocated: InvoiceLine[],
  currency: string,
  /** recurring lines of no user (MI add-on, account charges): their own row, never "Unallocated" */
  accountCharges: InvoiceLine[] = []
) {
  const departments = new Map<
    string,
    { people: { person: PersonLines; b: Buckets }[]; b: Buckets }
  >()
  for (const person of people) {
    const key = person.department ?? 'No department'
    const d = departments.get(key) ?? { people: [], b: { usage: 0, recurring: 0, m365: 0 } }
    const b = bucketsOf(person.lines)
    d.people.push({ person, b })
    d.b = add(d.b, b)
    departments.set(key, d)
  }
  const out: CostDepartment[] = [...departments]
    .sort(([a], [b]) =>
      a === 'No department' ? 1 : b === 'No department' ? -1 : a.localeCompare(b)
    )
    .map(([name, d]) => ({
      name,
      ...texts(d.b, currency),
      has_subtotal: d.people.length > 1,
      people: d.people
        .sort((x, y) => x.person.name.localeCompare(y.person.name))
        .map(({ person, b }) => ({
          name: person.name,
          employee_number: person.employee_number,
          ...texts(b, currency),
        })),
    }))
  const un = bucketsOf(unallocated)
  const account = bucketsOf(accountCharges)
  const all = add(
    [...departments.values()].reduce((sum, d) => add(sum, d.b), un),
    account
  )
  return {
    departments: out,
    unallocated: unallocated.length ? texts(un, currency) : null,
    account_charges: accountCharges.length ? texts(account, currency) : null,
    totals: texts(all, currency),
  }
}

/** Licences summed per product and price: "Microsoft 365 Business Premium (Nov 2026)" reads as its product. */
export function m365Licences(lines: InvoiceLine[], currency: string) {
  const byProduct = new Map<
    string,
    { name: string; seats: number; unitE4: number; minor: number }
  >()
  for (const l of lines) {
    if (l.category !== 'licence') continue
    const name = l.description.replace(/\s*\([^)]*\)\s*$/, '').trim() || 'Microsoft 365 licence'
    const key = `${name}|${l.unitPriceE4}`
    const row = byProduct.get(key) ?? { name, seats: 0, unitE4: l.unitPriceE4, minor: 0 }
    row.seats += l.quantity
    row.minor += l.amountMinor
    byProduct.set(key, row)
  }
  if (!byProduct.size) return null
  const rows = [...byProduct.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.unitE4 - b.unitE4
  )
  const total: Money = { minor: rows.reduce((s, r) => s + r.minor, 0), text: '' }
  total.text = formatMoney(total.minor, currency)
  return {
    rows: rows.map((r) => ({
      name: r.name,
      seats: plural(r.seats, 'seat'),
      unit_price: unitPriceE4(r.unitE4, currency),
      amount: formatMoney(r.minor, currency),
    })),
    seats: plural(
      rows.reduce((s, r) => s + r.seats, 0),
      'seat'
    ),
    total: total.text,
  }
}
