/** Shapes the billing review pages receive (mirrors app/billing/flags.ts FlagView and app/billing/draft_diff.ts DiffView). */
export interface FlagView {
  id: number
  kind: string
  label: string
  message: string
  details: Record<string, any> | null
  acknowledged: { at: string; by: string | null; reason: string } | null
}

export interface DiffView {
  at: string
  net: { before: string; after: string; delta: string }
  added: { label: string; employee: string; amount: string }[]
  removed: { label: string; employee: string; amount: string }[]
  changed: { label: string; employee: string; before: string; after: string; delta: string }[]
  byEmployee: { employee: string; before: string; after: string; delta: string }[]
}

export interface ChangeVsLastView {
  previous: { id: number; number: string | null; period: string } | null
  byEmployee: {
    employee: string
    before: string
    after: string
    delta: string
    deltaMinor: number
  }[]
  byCategory: {
    category: string
    before: string
    after: string
    delta: string
    deltaMinor: number
  }[]
}
