import { rerateAndRefresh } from '#consolidation/usage_pipeline'
import { customersWithExceptions } from '#rating/exception_views'
import type { RerateSummary } from '#rating/tariffs'

/**
 * Re-rates (and refreshes the rollups of) every customer with unrated unbilled records,
 * or only those whose records were last rated against `tariffId` or no tariff: what the
 * exceptions page runs after a rate was added from an exception group.
 */
export async function rerateExceptions(
  userId: number | null,
  tariffId?: number
): Promise<RerateSummary> {
  return rerateAndRefresh({ customerIds: await customersWithExceptions(tariffId) }, userId)
}
