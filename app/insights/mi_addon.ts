import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Customer from '#models/customer'
import RecurringCharge from '#models/recurring_charge'
import { audit } from '#lib/audit'
import { insightsSettings } from '#insights/settings'
import { refreshRecurringRollups } from '#consolidation/rollups'

export const MI_ADDON_DESCRIPTION = 'Management information add-on'

/**
 * Switches the management-information add-on of a customer. On: customers.mi_addon = true and an
 * open recurring charge (origin 'mi_addon', price from settings, default £50/month) exists from today.
 * Off: the flag goes false and open add-on charges end today (billing pro-rates the part month).
 */
export async function setMiAddon(
  customerId: number,
  enabled: boolean,
  userId: number | null,
  today = DateTime.utc()
) {
  const { miAddonPriceE4 } = await insightsSettings()
  return db.transaction(async (trx) => {
    const customer = await Customer.query({ client: trx }).where('id', customerId).firstOrFail()
    const open = await RecurringCharge.query({ client: trx })
      .where('customer_id', customerId)
      .where('origin', 'mi_addon')
      .where((q) => q.whereNull('ends_on').orWhere('ends_on', '>=', today.toISODate()!))
    const was = customer.miAddon
    customer.miAddon = enabled
    await customer.save()
    let chargeId: number | null = null
    if (enabled && open.length === 0) {
      const charge = await RecurringCharge.create(
        {
          customerId,
          employeeId: null,
          serviceId: null,
          description: MI_ADDON_DESCRIPTION,
          category: 'mi_addon',
          quantity: 1,
          unitPriceE4: miAddonPriceE4,
          unitCostE4: 0,
          startsOn: today.startOf('day'),
          endsOn: null,
          origin: 'mi_addon',
          externalRef: null,
        },
        { client: trx }
      )
      chargeId = charge.id
    } else if (enabled) {
      chargeId = open[0].id
    } else {
      for (const charge of open) {
        const end = today.startOf('day')
        charge.endsOn = end < charge.startsOn ? charge.startsOn : end
        charge.useTransaction(trx)
        await charge.save()
      }
    }
    // The add-on is a recurring charge: the insights' monthly figures include it.
    const touched = enabled
      ? chargeId !== null && open.length === 0
        ? [today.toISODate()]
        : []
      : open.map((c) => c.startsOn)
    if (touched.length) await refreshRecurringRollups(customerId, touched, trx)
    await audit(
      {
        userId,
        action: enabled ? 'mi_addon.enable' : 'mi_addon.disable',
        subjectType: 'customer',
        subjectId: customerId,
        changes: { miAddon: { from: was, to: enabled }, chargeId },
      },
      trx
    )
    return { enabled, chargeId }
  })
}
