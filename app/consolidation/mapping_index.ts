import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { epochMsOf } from '#rating/deck_store'

/** Who a usage record belongs to: its service and, through the assignment at its time, the employee and department. */
export interface RecordLinks {
  readonly serviceId: number | null
  readonly employeeId: number | null
  readonly departmentId: number | null
}

interface Held {
  from: number
  until: number
  /** The record's links while this assignment holds (one object shared by all its records). */
  links: RecordLinks
}

interface ServiceEntry {
  id: number
  /** Latest start first. */
  held: Held[]
  unheld: RecordLinks
}

const NONE: RecordLinks = { serviceId: null, employeeId: null, departmentId: null }

/**
 * mapUsage's rule in memory, for records while their file is read: the service with the record's
 * identifier (per customer; the lowest id if there were ever two), the assignment of that service
 * effective at the record's time ([starts_at, ends_at)), its employee and the employee's
 * department. Loaded once per import for the customers it may route to.
 */
export class MappingIndex {
  // Customer, then identifier: the parser hands out the same identifier strings again and
  // again (its number cache), so their hashes are reused; a joined key was a new string a record.
  private constructor(private services: Map<number, Map<string, ServiceEntry>>) {}

  /** `customerIds` null: every customer (a reseller-wide file). */
  /** `lowerCase`: identifiers compare without case (MySQL's collation does), so keys are lower case. */
  static async load(
    client: QueryClientContract,
    customerIds: number[] | null,
    lowerCase = false
  ): Promise<MappingIndex> {
    const services = new Map<number, Map<string, ServiceEntry>>()
    const byId = new Map<number, ServiceEntry>()
    const q = client.from('services').select('id', 'customer_id', 'identifier').orderBy('id')
    if (customerIds) q.whereIn('customer_id', customerIds)
    for (const s of await q) {
      const key = lowerCase ? String(s.identifier).toLowerCase() : String(s.identifier)
      let ofCustomer = services.get(Number(s.customer_id))
      if (!ofCustomer) services.set(Number(s.customer_id), (ofCustomer = new Map()))
      if (ofCustomer.has(key)) continue
      const id = Number(s.id)
      const entry: ServiceEntry = {
        id,
        held: [],
        unheld: { serviceId: id, employeeId: null, departmentId: null },
      }
      ofCustomer.set(key, entry)
      byId.set(entry.id, entry)
    }
    const a = client
      .from('assignments as a')
      .join('employees as e', 'e.id', 'a.employee_id')
      .select('a.service_id', 'a.employee_id', 'a.starts_at', 'a.ends_at', 'e.department_id')
    if (customerIds) a.whereIn('e.customer_id', customerIds)
    for (const row of await a) {
      const entry = byId.get(Number(row.service_id))
      if (!entry) continue
      entry.held.push({
        from: epochMsOf(row.starts_at),
        until:
          row.ends_at === null || row.ends_at === undefined
            ? Number.POSITIVE_INFINITY
            : epochMsOf(row.ends_at),
        links: {
          serviceId: entry.id,
          employeeId: Number(row.employee_id),
          departmentId:
            row.department_id === null || row.department_id === undefined
              ? null
              : Number(row.department_id),
        },
      })
    }
    for (const entry of byId.values()) entry.held.sort((x, y) => y.from - x.from)
    return new MappingIndex(services)
  }

  /** The links of a record of `customerId` with this identifier at `atMs` (UTC epoch ms, whole seconds). */
  links(customerId: number, identifier: string, atMs: number): RecordLinks {
    const entry = this.services.get(customerId)?.get(identifier)
    if (!entry) return NONE
    for (const h of entry.held) if (h.from <= atMs && atMs < h.until) return h.links
    return entry.unheld
  }

  get size() {
    let n = 0
    for (const ofCustomer of this.services.values()) n += ofCustomer.size
    return n
  }
}
