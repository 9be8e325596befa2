import { DateTime } from 'luxon'

/**
 * A run may bill only a period that has ended in each customer's time zone, unless the user makes the
 * explicit choice to bill an open period; a period that has not begun is refused outright.
 */
export type PeriodState = 'ended' | 'open' | 'future'

export function periodState(
  period: string,
  timeZone: string,
  now: Date
): { state: PeriodState; start: DateTime; end: DateTime } {
  const zone = timeZone || 'Europe/London'
  const start = DateTime.fromFormat(period, 'yyyy-MM', { zone })
  const end = start.plus({ months: 1 })
  const at = DateTime.fromJSDate(now).setZone(zone)
  return { state: at < start ? 'future' : at < end ? 'open' : 'ended', start, end }
}

const when = (d: DateTime) => `${d.toFormat('d LLL yyyy HH:mm')} ${d.zoneName}`

/** The first reason the period cannot be billed for these customers, or null. */
export function periodProblem(
  period: string,
  customers: { accountNumber: string; timeZone: string }[],
  options: { openPeriod?: boolean; now?: Date } = {}
): { code: 'future' | 'open_period'; message: string } | null {
  const now = options.now ?? new Date()
  for (const c of customers) {
    const { state, start, end } = periodState(period, c.timeZone, now)
    if (state === 'future') {
      return {
        code: 'future',
        message: `${period} has not begun for ${c.accountNumber} (it starts ${when(start)}): a future period cannot be billed`,
      }
    }
    if (state === 'open' && !options.openPeriod) {
      return {
        code: 'open_period',
        message: `${period} has not ended for ${c.accountNumber} (it ends ${when(end)}): usage may still arrive. Tick "bill an open period" (CLI --open-period) to bill it anyway`,
      }
    }
  }
  return null
}
