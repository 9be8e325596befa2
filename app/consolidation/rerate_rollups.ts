import type { RatedChange, RatedSide, RatingObserver } from '#rating/rate_usage'
import { RollupCells, type RolledRecord } from '#consolidation/rollup_cells'

/**
 * Keeps the usage rollups right during a re-rate from the changed records alone: each change
 * takes the record's old outcome out of its rollup cells and puts the new one in, written in
 * the customer's rating transaction (so prices and rollups commit together). Re-reading every
 * record of the months (refreshRollups) took most of a 1M-record re-rate.
 */
export function rerateRollups(): RatingObserver {
  let cells = new RollupCells()
  return {
    changed(change: RatedChange) {
      cells.add(rolled(change, change.after), 1)
      cells.add(rolled(change, change.before), -1)
    },
    async beforeCommit(trx) {
      const written = cells
      cells = new RollupCells()
      await written.apply(trx)
    },
  }
}

function rolled(change: RatedChange, side: RatedSide): RolledRecord {
  return {
    customerId: change.customerId,
    period: change.period,
    departmentId: change.departmentId,
    employeeId: change.employeeId,
    serviceId: change.serviceId,
    category: side.category,
    destination: change.destination,
    destinationName: side.destinationName,
    durationS: change.durationS,
    volumeBytes: change.volumeBytes,
    costE4: side.costE4,
    priceE4: side.priceE4,
  }
}
