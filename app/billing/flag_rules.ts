/**
 * Pure rules behind the draft invoice flags (no database): exact integer arithmetic only.
 * app/billing/flags.ts gathers the figures and writes the flags.
 */

/** Is `value` further than `bandBp` basis points from `baseline`? Exact: |v − b| × 10000 > band × |b|. */
export function beyondBand(value: number, baseline: number, bandBp: number): boolean {
  if (baseline === 0) return value !== 0
  return Math.abs(value - baseline) * 10_000 > bandBp * Math.abs(baseline)
}

/** Change in basis points, rounded half away from zero (for messages); null when there is no baseline. */
export function changeBp(value: number, baseline: number): number | null {
  if (baseline === 0) return null
  const num = (value - baseline) * 10_000
  const q = Math.floor((Math.abs(num) * 2 + Math.abs(baseline)) / (2 * Math.abs(baseline)))
  return num * Math.sign(baseline) < 0 ? -q : q
}

/** "+12.5%" / "−40.0%" from basis points. */
export function percentLabel(bp: number | null): string {
  if (bp === null) return 'n/a'
  const sign = bp > 0 ? '+' : bp < 0 ? '−' : ''
  const abs = Math.abs(bp)
  return `${sign}${Math.floor(abs / 100)}.${String(Math.floor((abs % 100) / 10))}%`
}

/**
 * The trailing average as a fraction (sum / months) compared without dividing:
 * |net × months − sum| × 10000 > band × sum.
 */
export function beyondAverage(net: number, trailing: number[], bandBp: number): boolean {
  if (!trailing.length) return false
  const sum = trailing.reduce((a, b) => a + b, 0)
  return beyondBand(net * trailing.length, sum, bandBp)
}

/** Margin fell by more than `dropBp` of the previous margin (only a positive previous margin can fall). */
export function marginFell(
  previousMarginE4: number,
  currentMarginE4: number,
  dropBp: number
): boolean {
  if (previousMarginE4 <= 0) return false
  return (previousMarginE4 - currentMarginE4) * 10_000 > dropBp * previousMarginE4
}

export interface LineForDiff {
  key: string
  label: string
  employee: string
  amountMinor: number
  quantity: number
}

export interface LineDiff {
  added: LineForDiff[]
  removed: LineForDiff[]
  changed: {
    key: string
    label: string
    employee: string
    beforeMinor: number
    afterMinor: number
    deltaMinor: number
  }[]
  byEmployee: { employee: string; beforeMinor: number; afterMinor: number; deltaMinor: number }[]
}

/** Lines added, removed and changed between two versions of an invoice, and the change per employee. */
export function diffLines(before: LineForDiff[], after: LineForDiff[]): LineDiff {
  const sum = (lines: LineForDiff[]) => {
    const m = new Map<string, LineForDiff>()
    for (const l of lines) {
      const prev = m.get(l.key)
      m.set(
        l.key,
        prev
          ? {
              ...prev,
              amountMinor: prev.amountMinor + l.amountMinor,
              quantity: prev.quantity + l.quantity,
            }
          : { ...l }
      )
    }
    return m
  }
  const a = sum(before)
  const b = sum(after)
  const out: LineDiff = { added: [], removed: [], changed: [], byEmployee: [] }
  for (const [key, line] of b) {
    const old = a.get(key)
    if (!old) out.added.push(line)
    else if (old.amountMinor !== line.amountMinor || old.quantity !== line.quantity) {
      out.changed.push({
        key,
        label: line.label,
        employee: line.employee,
        beforeMinor: old.amountMinor,
        afterMinor: line.amountMinor,
        deltaMinor: line.amountMinor - old.amountMinor,
      })
    }
  }
  for (const [key, line] of a) if (!b.has(key)) out.removed.push(line)
  const employees = new Map<string, { beforeMinor: number; afterMinor: number }>()
  for (const l of before)
    employees.set(l.employee, {
      beforeMinor: (employees.get(l.employee)?.beforeMinor ?? 0) + l.amountMinor,
      afterMinor: employees.get(l.employee)?.afterMinor ?? 0,
    })
  for (const l of after)
    employees.set(l.employee, {
      beforeMinor: employees.get(l.employee)?.beforeMinor ?? 0,
      afterMinor: (employees.get(l.employee)?.afterMinor ?? 0) + l.amountMinor,
    })
  out.byEmployee = [...employees.entries()]
    .map(([employee, v]) => ({ employee, ...v, deltaMinor: v.afterMinor - v.beforeMinor }))
    .filter((e) => e.deltaMinor !== 0)
    .sort((x, y) => x.employee.localeCompare(y.employee))
  const byKey = (x: { key: string }, y: { key: string }) => x.key.localeCompare(y.key)
  out.added.sort(byKey)
  out.removed.sort(byKey)
  out.changed.sort(byKey)
  return out
}
