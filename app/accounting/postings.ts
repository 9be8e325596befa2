import { taxOn } from '#lib/money'

/**
 * Posting lines: what an accounts package books per account and tax code. Pure.
 *
 * An invoice's VAT is worked out per rate on the rate's whole net (invoiceTotals in #lib/money),
 * not per line; splitting it over the categories of that rate must therefore give back exactly the
 * rate's VAT, so the package's invoice total is ours to the penny. Each category gets the VAT of its
 * own net, and the rounding difference goes to the category with the largest net.
 */

export interface PostingLine {
  category: string
  rateBp: number
  netMinor: number
  taxMinor: number
}

export function splitTax(
  groups: { category: string; rateBp: number; netMinor: number }[]
): PostingLine[] {
  const out: PostingLine[] = groups.map((g) => ({ ...g, taxMinor: taxOn(g.netMinor, g.rateBp) }))
  for (const rateBp of new Set(groups.map((g) => g.rateBp))) {
    const ofRate = out.filter((l) => l.rateBp === rateBp)
    const rateTax = taxOn(
      ofRate.reduce((s, l) => s + l.netMinor, 0),
      rateBp
    )
    const difference = rateTax - ofRate.reduce((s, l) => s + l.taxMinor, 0)
    if (difference === 0) continue
    const largest = ofRate.reduce((a, b) => (Math.abs(b.netMinor) > Math.abs(a.netMinor) ? b : a))
    largest.taxMinor += difference
  }
  return out
}
