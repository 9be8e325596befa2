import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { taxOn } from '#lib/money'
import { VAT_CATEGORIES, type VatCategory, type UblVatGroup } from '#einvoice/types'

/**
 * VAT category and rate of every invoice line. A customer bills at its default (category S at
 * its tax rate, or Z / E / AE at 0%); a rule for a charge category (customer_vat_rules) bills
 * that category at another category/rate, which is how one invoice carries several rates.
 * Only S has a rate above 0 (BR-Z-05, BR-E-05, BR-AE-05), so a document's VAT per
 * (category, rate) adds up to exactly the VAT per rate the invoice has always computed.
 */

export interface LineVat {
  vatCategory: VatCategory
  rateBp: number
}

export const VAT_CATEGORY_LABELS: Record<VatCategory, string> = {
  S: 'Standard rated',
  Z: 'Zero rated',
  E: 'Exempt from VAT',
  AE: 'Reverse charge',
}

/** Printed on the PDF and given as the UBL exemption reason of an AE breakdown. */
export const REVERSE_CHARGE_WORDING =
  'Reverse charge: the customer must account for the VAT on these supplies to its own tax authority.'
const EXEMPT_WORDING = 'Exempt from VAT'

export function isVatCategory(value: unknown): value is VatCategory {
  return typeof value === 'string' && (VAT_CATEGORIES as readonly string[]).includes(value)
}

/** A customer's default: S at its tax rate (Z when that rate is 0, as before categories existed). */
export function defaultLineVat(customer: {
  vatCategory?: string | null
  taxRateBp: number
}): LineVat {
  const category = isVatCategory(customer.vatCategory) ? customer.vatCategory : 'S'
  if (category !== 'S') return { vatCategory: category, rateBp: 0 }
  return customer.taxRateBp > 0
    ? { vatCategory: 'S', rateBp: customer.taxRateBp }
    : { vatCategory: 'Z', rateBp: 0 }
}

export interface VatRule {
  category: string
  vatCategory: VatCategory
  rateBp: number
}

export async function vatRulesOf(
  client: QueryClientContract,
  customerId: number
): Promise<VatRule[]> {
  const rows = await client
    .from('customer_vat_rules')
    .where('customer_id', customerId)
    .orderBy('category')
  return rows.map((r) => ({
    category: String(r.category),
    vatCategory: r.vat_category as VatCategory,
    rateBp: Number(r.tax_rate_bp),
  }))
}

/** The VAT of a line of each charge category, for one customer (compute.ts calls it once per invoice). */
export async function lineVatResolver(
  client: QueryClientContract,
  customer: { id: number; vatCategory?: string | null; taxRateBp: number }
) {
  const fallback = defaultLineVat(customer)
  const rules = new Map((await vatRulesOf(client, customer.id)).map((r) => [r.category, r]))
  return (category: string): LineVat => {
    const rule = rules.get(category)
    return rule
      ? { vatCategory: rule.vatCategory, rateBp: rule.vatCategory === 'S' ? rule.rateBp : 0 }
      : fallback
  }
}

export function exemptionOf(category: VatCategory): { reason: string | null; code: string | null } {
  if (category === 'AE') return { reason: REVERSE_CHARGE_WORDING, code: 'VATEX-EU-AE' }
  if (category === 'E') return { reason: EXEMPT_WORDING, code: null }
  return { reason: null, code: null }
}

/**
 * One group per (category, rate), each taxed once and rounded half-up: the VAT breakdown of
 * the PDF and the TaxSubtotals of the UBL. Highest rate first, then category code.
 */
export function vatGroups(
  lines: { amountMinor: number; taxRateBp: number; vatCategory?: string | null }[]
): UblVatGroup[] {
  const groups = new Map<string, { category: VatCategory; rateBp: number; taxableMinor: number }>()
  for (const line of lines) {
    const category: VatCategory = isVatCategory(line.vatCategory)
      ? line.vatCategory
      : line.taxRateBp > 0
        ? 'S'
        : 'Z'
    const key = `${category}:${line.taxRateBp}`
    const group = groups.get(key) ?? { category, rateBp: line.taxRateBp, taxableMinor: 0 }
    group.taxableMinor += line.amountMinor
    groups.set(key, group)
  }
  return [...groups.values()]
    .sort((a, b) => b.rateBp - a.rateBp || a.category.localeCompare(b.category))
    .map((g) => {
      const exemption = exemptionOf(g.category)
      return {
        ...g,
        taxMinor: taxOn(g.taxableMinor, g.rateBp),
        exemptionReason: exemption.reason,
        exemptionReasonCode: exemption.code,
      }
    })
}

/**
 * The VAT breakdown of a credit note against an invoice with these groups. An invoice with one
 * (category, rate) credits in that group, with the VAT stored on the note (a full credit returns
 * exactly the invoice's VAT). An invoice with several splits each credit over its groups in
 * proportion to what is left of them (creditSplit), each part taxed at its own rate; a full
 * first credit is then exactly the invoice's breakdown.
 */
export function creditVatGroups(
  invoiceGroups: UblVatGroup[],
  note: { subtotalMinor: number; taxMinor: number },
  priorNets: number[]
): UblVatGroup[] {
  if (invoiceGroups.length > 1) return creditSplit(invoiceGroups, priorNets, note.subtotalMinor)
  const group = invoiceGroups[0]
  const category: VatCategory = group?.category ?? 'Z'
  const exemption = exemptionOf(category)
  return [
    {
      category,
      rateBp: group?.rateBp ?? 0,
      taxableMinor: note.subtotalMinor,
      taxMinor: note.taxMinor,
      exemptionReason: exemption.reason,
      exemptionReasonCode: exemption.code,
    },
  ]
}

/**
 * Splits a credit of `net` over a several-rate invoice's groups: what is left of each group after
 * the earlier credits (`priorNets`, oldest first, split the same way), shared in proportion with
 * the pennies going to the largest remainders. Deterministic, so the note's stored VAT and its
 * e-invoice always agree. Integer arithmetic only.
 */
export function creditSplit(
  invoiceGroups: UblVatGroup[],
  priorNets: number[],
  net: number
): UblVatGroup[] {
  let remaining = invoiceGroups.map((g) => g.taxableMinor)
  const share = (amount: number) => {
    const total = remaining.reduce((a, b) => a + b, 0)
    if (total <= 0) return remaining.map((_, i) => (i === 0 ? amount : 0))
    const parts = remaining.map((r) => Math.floor((amount * r) / total))
    const order = remaining
      .map((r, i) => ({ i, rest: (amount * r) % total }))
      .sort((a, b) => b.rest - a.rest || a.i - b.i)
    for (let left = amount - parts.reduce((a, b) => a + b, 0), k = 0; left > 0; left--, k++)
      parts[order[k % order.length].i]++
    return parts
  }
  for (const prior of priorNets) {
    const parts = share(prior)
    remaining = remaining.map((r, i) => r - parts[i])
  }
  return share(net)
    .map((part, i) => ({
      ...invoiceGroups[i],
      taxableMinor: part,
      taxMinor: taxOn(part, invoiceGroups[i].rateBp),
    }))
    .filter((g) => g.taxableMinor !== 0)
}
