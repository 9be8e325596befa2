import { divRoundHalfUp } from '#lib/money'

/**
 * The UN/ECE Recommendation 20 unit of an invoice line and its quantity in that unit
 * (thousandths): calls in minutes (MIN), mobile data in megabytes (4L), everything counted
 * (messages, seats, rentals) in units (C62). A usage line with no duration or volume falls
 * back to its record count.
 */
export const UNIT_LABELS: Record<string, string> = {
  'MIN': 'minutes',
  'C62': 'units',
  '4L': 'megabytes',
}

const COUNTED = new Set(['sms', 'mms'])

export function lineUnit(line: {
  kind: 'usage' | 'recurring'
  category: string
  quantity: number
  durationS?: number
  volumeBytes?: number
}): { unitCode: string; unitQuantityE3: number } {
  if (line.kind === 'usage' && !COUNTED.has(line.category)) {
    if (line.category === 'data' && (line.volumeBytes ?? 0) > 0)
      return {
        unitCode: '4L',
        unitQuantityE3: divRoundHalfUp(line.volumeBytes! * 1000, 1_000_000) || 1,
      }
    if ((line.durationS ?? 0) > 0)
      return { unitCode: 'MIN', unitQuantityE3: divRoundHalfUp(line.durationS! * 1000, 60) }
  }
  return { unitCode: 'C62', unitQuantityE3: line.quantity * 1000 }
}
