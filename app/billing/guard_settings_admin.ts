import db from '@adonisjs/lucid/services/db'
import { audit } from '#lib/audit'
import { formatMoney, parseDecimal } from '#lib/money'
import { guardSettings, saveGuardSettings, type GuardSettings } from '#billing/guard_settings'

/**
 * The billing guards settings page: the change band, the margin drop, the bill-shock thresholds and
 * which customers receive their own alerts. Figures come in as percentages and pounds and are kept as
 * basis points and minor units.
 */

const percentToBp = (p: number) => parseDecimal(String(p), 2)
const bpToPercent = (bp: number) =>
  `${Math.floor(bp / 100)}${
    bp % 100
      ? '.' +
        String(bp % 100)
          .padStart(2, '0')
          .replace(/0$/, '')
      : ''
  }`
const poundsList = (minor: number[]) =>
  minor.map((m) => formatMoney(m).replace(/[£,]/g, '')).join(', ')

/** The billing guards form (billing/guards): percentages and pound lists as typed. */
export type GuardSettingsView = {
  changeBandPercent: string
  marginDropPercent: string
  shockCustomer: string
  shockEmployee: string
  /** Customers who are alerted of their own bill shock too. */
  customers: { id: number; label: string; notify: boolean }[]
}

export type BillingGuardsProps = { settings: GuardSettingsView }

export async function guardSettingsView(): Promise<GuardSettingsView> {
  const s = await guardSettings()
  const customers = await db
    .from('customers')
    .orderBy('account_number')
    .select('id', 'name', 'account_number', 'bill_shock_notify_customer')
  return {
    changeBandPercent: bpToPercent(s.changeBandBp),
    marginDropPercent: bpToPercent(s.marginDropBp),
    shockCustomer: poundsList(s.shockCustomerMinor),
    shockEmployee: poundsList(s.shockEmployeeMinor),
    customers: customers.map((c: any) => ({
      id: Number(c.id),
      label: `${c.account_number} — ${c.name}`,
      notify: Boolean(c.bill_shock_notify_customer),
    })),
  }
}

function parsePounds(list: string): number[] {
  return [
    ...new Set(
      list
        .split(/[,;]/)
        .map((v) => v.trim())
        .filter(Boolean)
        .map((v) => parseDecimal(v, 2))
    ),
  ]
    .filter((v) => v > 0)
    .sort((a, b) => a - b)
}

export async function updateGuardSettings(
  input: {
    changeBandPercent: number
    marginDropPercent: number
    shockCustomer: string
    shockEmployee: string
    notifyCustomerIds: number[]
  },
  userId: number
) {
  const values: GuardSettings = {
    changeBandBp: percentToBp(input.changeBandPercent),
    marginDropBp: percentToBp(input.marginDropPercent),
    shockCustomerMinor: parsePounds(input.shockCustomer),
    shockEmployeeMinor: parsePounds(input.shockEmployee),
  }
  const before = await guardSettings()
  await saveGuardSettings(values)
  await db.transaction(async (trx) => {
    await trx.from('customers').update({ bill_shock_notify_customer: false })
    if (input.notifyCustomerIds.length)
      await trx
        .from('customers')
        .whereIn('id', input.notifyCustomerIds)
        .update({ bill_shock_notify_customer: true })
    await audit(
      {
        userId,
        action: 'settings.guards',
        subjectType: 'settings',
        changes: { before, after: values, notifyCustomerIds: input.notifyCustomerIds },
      },
      trx
    )
  })
  return values
}
