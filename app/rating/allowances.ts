import type { UsageKind } from '#rating/types'
import type { AllowanceDraw, AllowanceResolver } from '#rating/engine'

export interface AllowanceDef {
  id: number
  name: string
  /** Usage categories covered: deck row categories ("national", "mobile") or a kind ("voice", "data", "sms"). */
  categories: string[] | string
  unit: 'seconds' | 'kilobytes' | 'messages'
  quantity: number
  scope: 'service' | 'pooled'
}

const UNIT_KIND: Record<AllowanceDef['unit'], UsageKind> = {
  seconds: 'voice',
  kilobytes: 'data',
  messages: 'sms',
}

interface Compiled {
  id: number
  kind: UsageKind
  categories: Set<string>
  quantity: number
  pooled: boolean
}

/**
 * Balances of a tariff's allowances for one month. Records must be fed in
 * start-time order; each balance is per service (scope "service") or shared by
 * the whole customer (scope "pooled").
 */
export class AllowanceLedger {
  private defs: Compiled[]
  private balances = new Map<string, AllowanceDraw>()
  private serviceKey = ''

  constructor(allowances: AllowanceDef[]) {
    this.defs = allowances
      .slice()
      .sort((a, b) => a.id - b.id)
      .map((a) => ({
        id: a.id,
        kind: UNIT_KIND[a.unit],
        categories: new Set(
          (Array.isArray(a.categories) ? a.categories : a.categories.split(','))
            .map((c) => c.trim().toLowerCase())
            .filter(Boolean)
        ),
        quantity: Number(a.quantity),
        pooled: a.scope === 'pooled',
      }))
  }

  get empty() {
    return this.defs.length === 0
  }

  /** The service the next record belongs to (service id, or its identifier when unmapped). */
  forService(serviceKey: string): AllowanceResolver {
    this.serviceKey = serviceKey
    return this.resolve
  }

  /** Draws from the first allowance that covers the record and still has a balance. */
  readonly resolve: AllowanceResolver = (kind, category) => {
    const c = category.toLowerCase()
    let fallback: AllowanceDraw | null = null
    for (const def of this.defs) {
      if (def.kind !== kind) continue
      if (!def.categories.has(c) && !def.categories.has(kind)) continue
      const key = def.pooled ? `${def.id}` : `${def.id}:${this.serviceKey}`
      let draw = this.balances.get(key)
      if (!draw) {
        draw = { remaining: def.quantity }
        this.balances.set(key, draw)
      }
      if (draw.remaining > 0) return draw
      fallback = fallback ?? draw
    }
    return fallback
  }

  /** Takes units already used by a record that is not re-rated (e.g. already invoiced). */
  consume(serviceKey: string, kind: UsageKind, category: string, units: number) {
    let left = units
    while (left > 0) {
      const draw = this.forService(serviceKey)(kind, category)
      if (!draw || draw.remaining <= 0) return
      const take = Math.min(left, draw.remaining)
      draw.remaining -= take
      left -= take
    }
  }

  /** Remaining balances, for display and tests. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.balances.entries()].map(([k, v]) => [k, v.remaining]))
  }
}
