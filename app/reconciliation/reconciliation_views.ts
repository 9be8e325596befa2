import { formatMoney } from '#lib/money'
import { differenceCounts, SECTION_LABELS, type Reconciliation } from '#reconciliation/reconcile'

/** Read model of the reconciliation page (reconciliation/show). */

/** The page's read model: figures as money strings with their currency. */
export function reconciliationView(r: Reconciliation, currency = 'GBP') {
  const m = (minor: number | null) => (minor === null ? null : formatMoney(minor, currency))
  const priced = <T extends { costMinor: number; sellMinor: number; billedMinor: number }>(
    d: T
  ) => ({
    ...d,
    cost: m(d.costMinor)!,
    sell: m(d.sellMinor)!,
    billed: m(d.billedMinor)!,
  })
  return {
    period: r.period,
    counts: differenceCounts(r),
    labels: SECTION_LABELS,
    suppliers: r.suppliers.map((s) => ({
      ...s,
      supplierTotal: m(s.supplierTotalMinor),
      importedCost: m(s.importedCostMinor)!,
      serviceChargesCost: m(s.serviceChargesMinor)!,
      ratedSell: m(s.ratedSellMinor)!,
      billed: m(s.billedMinor)!,
      supplierDelta: m(s.supplierDeltaMinor),
    })),
    supplierTotals: r.supplierTotals.map((d) => ({
      ...d,
      supplier: m(d.supplierMinor)!,
      imported: m(d.importedMinor)!,
      delta: m(d.deltaMinor)!,
    })),
    costNoPrice: r.costNoPrice.map(priced),
    leakage: r.leakage.map(priced),
    billedNoCost: r.billedNoCost.map(priced),
    seats: r.seats,
    idle: r.idle.map((d) => ({ ...d, rental: m(d.rentalMinor)! })),
    rightSize: r.rightSize.map((d) => ({ ...d, saving: m(d.savingMinor) })),
  }
}
export type ReconciliationView = ReturnType<typeof reconciliationView>

export type ReconciliationShowProps = { view: ReconciliationView }

export function reconciliationShowProps(r: Reconciliation): ReconciliationShowProps {
  return { view: reconciliationView(r) }
}
