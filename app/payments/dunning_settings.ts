import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { isOn } from '#billing/settings'
import { parseSchedule } from '#payments/status'
import { audit } from '#lib/audit'

/** Dunning switches, kept in the `settings` key/value table beside the billing ones. */
export interface DunningSettings {
  enabled: boolean
  /** Days after the due date, ascending: one reminder per entry. */
  schedule: number[]
  /** Suspend the customer's portal when the last reminder has gone. */
  suspendPortal: boolean
}

const KEYS = {
  enabled: 'dunning_enabled',
  schedule: 'dunning_days',
  suspendPortal: 'dunning_suspend_portal',
}
export const DUNNING_DEFAULTS = { enabled: 'false', schedule: '7, 14, 30', suspendPortal: 'false' }

export async function getDunningSettings(
  client: Pick<TransactionClientContract, 'from'> = db
): Promise<DunningSettings> {
  const rows = await client
    .from('settings')
    .whereIn('key', Object.values(KEYS))
    .select('key', 'value')
  const value = (k: keyof typeof KEYS) =>
    rows.find((r: any) => r.key === KEYS[k])?.value ?? DUNNING_DEFAULTS[k]
  return {
    enabled: isOn(value('enabled')),
    schedule: parseSchedule(value('schedule')),
    suspendPortal: isOn(value('suspendPortal')),
  }
}

export async function setDunningSettings(
  input: { enabled: boolean; schedule: string; suspendPortal: boolean },
  trx: TransactionClientContract
) {
  const schedule = parseSchedule(input.schedule)
  if (!schedule.length && input.enabled)
    throw new RangeError('Give at least one number of days for the reminders')
  const rows = [
    { key: KEYS.enabled, value: String(input.enabled) },
    { key: KEYS.schedule, value: schedule.join(', ') },
    { key: KEYS.suspendPortal, value: String(input.suspendPortal) },
  ]
  await trx.knexQuery().table('settings').insert(rows).onConflict('key').merge()
  return { enabled: input.enabled, schedule, suspendPortal: input.suspendPortal }
}

/** A person changes the dunning settings: one transaction with its audit entry. */
export async function saveDunningSettings(
  input: { enabled: boolean; schedule: string; suspendPortal: boolean },
  userId?: number | null
) {
  return db.transaction(async (trx) => {
    const before = await getDunningSettings(trx)
    const after = await setDunningSettings(input, trx)
    await audit(
      { userId, action: 'dunning.settings', subjectType: 'settings', changes: { before, after } },
      trx
    )
    return after
  })
}
