import { create } from 'xmlbuilder2'

/**
 * Reads a UBL document back (a real XML parse, namespaces honoured) and checks the EN 16931 /
 * Peppol BIS 3.0 rules Tollgate's documents fall under. Written from the rules' meaning,
 * independently of app/einvoice: amounts are parsed as decimal strings into integers here.
 */
export const CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'
export const CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2'

type El = any

export function parseUbl(xml: string): El {
  return (create(xml).node as any).documentElement
}

function kids(el: El, name: string): El[] {
  const [prefix, local] = name.split(':')
  const ns = prefix === 'cbc' ? CBC : CAC
  return [...(el?.childNodes ?? [])].filter(
    (n: El) => n.nodeType === 1 && n.localName === local && n.namespaceURI === ns
  )
}

/** Every element at a path of direct children ("cac:TaxTotal/cac:TaxSubtotal"). */
export function all(el: El, path: string): El[] {
  let nodes: El[] = [el]
  for (const step of path.split('/')) nodes = nodes.flatMap((n) => kids(n, step))
  return nodes
}
export const one = (el: El, path: string): El | null => all(el, path)[0] ?? null
export const text = (el: El, path: string): string | null => one(el, path)?.textContent ?? null

/** "1234.50" → 123450 (minor units); "-0.05" → -5. Refuses more than two decimals (BR-DEC). */
export function minor(value: string | null): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(value))
  if (!m) throw new Error(`not an amount with at most 2 decimals: ${value}`)
  const n = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'))
  return m[1] ? -n : n
}

/** Percent "20" / "5.5" → basis points. */
function bp(value: string | null) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(value))
  if (!m) throw new Error(`not a percentage: ${value}`)
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

function roundTax(taxableMinor: number, rateBp: number) {
  const p = BigInt(Math.abs(taxableMinor)) * BigInt(rateBp)
  const r = Number((p * 2n + 10000n) / 20000n)
  return taxableMinor < 0 ? -r : r
}

const ROOT_ORDER = [
  'CustomizationID',
  'ProfileID',
  'ID',
  'IssueDate',
  'DueDate',
  'InvoiceTypeCode',
  'CreditNoteTypeCode',
  'Note',
  'TaxPointDate',
  'DocumentCurrencyCode',
  'AccountingCost',
  'BuyerReference',
  'InvoicePeriod',
  'OrderReference',
  'BillingReference',
  'AccountingSupplierParty',
  'AccountingCustomerParty',
  'PaymentMeans',
  'PaymentTerms',
  'TaxTotal',
  'LegalMonetaryTotal',
  'InvoiceLine',
  'CreditNoteLine',
]

/** The rules that apply, each failure as "RULE: what". An empty list means the document passes. */
export function peppolViolations(root: El): string[] {
  const out: string[] = []
  const fail = (rule: string, ok: unknown, what: string) => {
    if (!ok) out.push(`${rule}: ${what}`)
  }
  const invoice = root.localName === 'Invoice'
  const order = [...root.childNodes]
    .filter((n: El) => n.nodeType === 1)
    .map((n: El) => ROOT_ORDER.indexOf(n.localName))
  fail(
    'UBL-SEQ',
    order.every((v, i) => v >= 0 && (i === 0 || v >= order[i - 1])),
    `elements out of schema order: ${order.join(',')}`
  )
  fail(
    'PEPPOL-EN16931-R008',
    ![...root.getElementsByTagName('*')].some(
      (n: El) => n.childNodes.length === 0 && !n.textContent
    ),
    'empty element'
  )
  fail(
    'BR-01',
    text(root, 'cbc:CustomizationID') ===
      'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0',
    'specification identifier'
  )
  fail(
    'PEPPOL-EN16931-R001',
    text(root, 'cbc:ProfileID') === 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0',
    'business process'
  )
  fail('BR-02', text(root, 'cbc:ID'), 'document number')
  fail('BR-03', /^\d{4}-\d{2}-\d{2}$/.test(text(root, 'cbc:IssueDate') ?? ''), 'issue date')
  fail(
    'BR-04',
    text(root, invoice ? 'cbc:InvoiceTypeCode' : 'cbc:CreditNoteTypeCode') ===
      (invoice ? '380' : '381'),
    'type code'
  )
  fail('BR-05', /^[A-Z]{3}$/.test(text(root, 'cbc:DocumentCurrencyCode') ?? ''), 'currency')
  const seller = one(root, 'cac:AccountingSupplierParty/cac:Party')
  const buyer = one(root, 'cac:AccountingCustomerParty/cac:Party')
  fail('BR-06', text(seller, 'cac:PartyLegalEntity/cbc:RegistrationName'), 'seller name')
  fail('BR-07', text(buyer, 'cac:PartyLegalEntity/cbc:RegistrationName'), 'buyer name')
  fail('BR-08', one(seller, 'cac:PostalAddress'), 'seller postal address')
  fail(
    'BR-09',
    /^[A-Z]{2}$/.test(text(seller, 'cac:PostalAddress/cac:Country/cbc:IdentificationCode') ?? ''),
    'seller country code'
  )
  fail('BR-10', one(buyer, 'cac:PostalAddress'), 'buyer postal address')
  fail(
    'BR-11',
    /^[A-Z]{2}$/.test(text(buyer, 'cac:PostalAddress/cac:Country/cbc:IdentificationCode') ?? ''),
    'buyer country code'
  )
  const totals = one(root, 'cac:LegalMonetaryTotal')
  for (const [rule, name] of [
    ['BR-12', 'LineExtensionAmount'],
    ['BR-13', 'TaxExclusiveAmount'],
    ['BR-14', 'TaxInclusiveAmount'],
    ['BR-15', 'PayableAmount'],
  ])
    fail(rule, text(totals, `cbc:${name}`) !== null, name)
  const lines = all(root, invoice ? 'cac:InvoiceLine' : 'cac:CreditNoteLine')
  fail('BR-16', lines.length > 0, 'at least one line')
  fail(
    'PEPPOL-EN16931-R003',
    text(root, 'cbc:BuyerReference') || text(root, 'cac:OrderReference/cbc:ID'),
    'buyer reference or order reference'
  )
  fail(
    'PEPPOL-EN16931-R010',
    text(buyer, 'cbc:EndpointID') && one(buyer, 'cbc:EndpointID')?.getAttribute('schemeID'),
    'buyer electronic address with scheme'
  )
  fail(
    'PEPPOL-EN16931-R020',
    text(seller, 'cbc:EndpointID') && one(seller, 'cbc:EndpointID')?.getAttribute('schemeID'),
    'seller electronic address with scheme'
  )

  // Lines (BR-21..BR-27) and their categories.
  const byGroup = new Map<string, number>()
  let lineSum = 0
  for (const [i, line] of lines.entries()) {
    const q = one(line, invoice ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity')
    fail('BR-21', text(line, 'cbc:ID'), `line ${i + 1} id`)
    fail(
      'BR-22',
      q && /^-?\d+(\.\d+)?$/.test(q.textContent) && Number(q.textContent) !== 0,
      `line ${i + 1} quantity`
    )
    fail('BR-23', q?.getAttribute('unitCode'), `line ${i + 1} unit code`)
    const net = minor(text(line, 'cbc:LineExtensionAmount'))
    fail('BR-24', text(line, 'cbc:LineExtensionAmount') !== null, `line ${i + 1} net amount`)
    fail('BR-25', text(line, 'cac:Item/cbc:Name'), `line ${i + 1} item name`)
    const price = text(line, 'cac:Price/cbc:PriceAmount')
    fail('BR-26', price !== null, `line ${i + 1} net price`)
    fail('BR-27', price !== null && !price.startsWith('-'), `line ${i + 1} price not negative`)
    const cat = text(line, 'cac:Item/cac:ClassifiedTaxCategory/cbc:ID')
    const rate = bp(text(line, 'cac:Item/cac:ClassifiedTaxCategory/cbc:Percent') ?? '0')
    fail('BR-CO-04', cat, `line ${i + 1} VAT category`)
    if (cat === 'S') fail('BR-S-05', rate > 0, `line ${i + 1} standard rate above 0`)
    if (cat === 'Z' || cat === 'E' || cat === 'AE')
      fail(`BR-${cat}-05`, rate === 0, `line ${i + 1} ${cat} rate 0`)
    // Price × quantity / base quantity gives the net (PEPPOL-EN16931-R120), checked in exact rationals.
    const base = text(line, 'cac:Price/cbc:BaseQuantity') ?? '1'
    fail(
      'PEPPOL-EN16931-R120',
      price !== null && lineMatches(q?.textContent, price, base, net),
      `line ${i + 1} qty × price ≠ net`
    )
    lineSum += net
    byGroup.set(`${cat}:${rate}`, (byGroup.get(`${cat}:${rate}`) ?? 0) + net)
  }

  // Sums (BR-CO-10..16) and due date or terms (BR-CO-25).
  const lineExt = minor(text(totals, 'cbc:LineExtensionAmount'))
  const taxExcl = minor(text(totals, 'cbc:TaxExclusiveAmount'))
  const taxIncl = minor(text(totals, 'cbc:TaxInclusiveAmount'))
  const payable = minor(text(totals, 'cbc:PayableAmount'))
  const allowances = text(totals, 'cbc:AllowanceTotalAmount')
    ? minor(text(totals, 'cbc:AllowanceTotalAmount'))
    : 0
  const charges = text(totals, 'cbc:ChargeTotalAmount')
    ? minor(text(totals, 'cbc:ChargeTotalAmount'))
    : 0
  const prepaid = text(totals, 'cbc:PrepaidAmount') ? minor(text(totals, 'cbc:PrepaidAmount')) : 0
  const rounding = text(totals, 'cbc:PayableRoundingAmount')
    ? minor(text(totals, 'cbc:PayableRoundingAmount'))
    : 0
  const taxTotals = all(root, 'cac:TaxTotal')
  fail('PEPPOL-EN16931-R053', taxTotals.length === 1, 'one tax total')
  const subtotals = all(root, 'cac:TaxTotal/cac:TaxSubtotal')
  const taxAmount = minor(text(taxTotals[0], 'cbc:TaxAmount'))
  fail('BR-CO-10', lineExt === lineSum, `line net sum ${lineSum} ≠ ${lineExt}`)
  fail('BR-CO-11', allowances === 0, 'no allowances expected')
  fail('BR-CO-12', charges === 0, 'no charges expected')
  fail('BR-CO-13', taxExcl === lineExt - allowances + charges, 'tax exclusive amount')
  fail(
    'BR-CO-14',
    taxAmount === subtotals.reduce((s, st) => s + minor(text(st, 'cbc:TaxAmount')), 0),
    'VAT total = sum of breakdown'
  )
  fail('BR-CO-15', taxIncl === taxExcl + taxAmount, 'tax inclusive amount')
  fail('BR-CO-16', payable === taxIncl - prepaid + rounding, 'amount due')
  fail(
    'BR-CO-25',
    payable <= 0 || text(root, 'cbc:DueDate') || text(root, 'cac:PaymentTerms/cbc:Note'),
    'due date or payment terms'
  )
  fail('BR-CO-18', subtotals.length > 0, 'a VAT breakdown')

  // The VAT breakdown per category (BR-S/Z/E/AE -08, -09, -10) and the parties' VAT ids (-02).
  const sellerVat = text(seller, 'cac:PartyTaxScheme/cbc:CompanyID')
  const buyerVat = text(buyer, 'cac:PartyTaxScheme/cbc:CompanyID')
  const seen = new Set<string>()
  for (const st of subtotals) {
    const cat = text(st, 'cac:TaxCategory/cbc:ID') ?? '?'
    const rate = bp(text(st, 'cac:TaxCategory/cbc:Percent') ?? '0')
    const taxable = minor(text(st, 'cbc:TaxableAmount'))
    const tax = minor(text(st, 'cbc:TaxAmount'))
    const reason =
      text(st, 'cac:TaxCategory/cbc:TaxExemptionReason') ??
      text(st, 'cac:TaxCategory/cbc:TaxExemptionReasonCode')
    const key = `${cat}:${rate}`
    fail('BR-CO-17', !seen.has(key), `one breakdown per category and rate (${key})`)
    seen.add(key)
    fail(
      `BR-${cat}-08`,
      taxable === (byGroup.get(key) ?? 0),
      `${key} taxable ${taxable} ≠ lines ${byGroup.get(key) ?? 0}`
    )
    if (cat === 'S') {
      fail(
        'BR-S-09',
        tax === roundTax(taxable, rate),
        `${key} tax ${tax} ≠ ${roundTax(taxable, rate)}`
      )
      fail('BR-S-10', !reason, 'no exemption reason on S')
      fail('BR-S-02', sellerVat, 'seller VAT id')
    } else {
      fail(`BR-${cat}-09`, tax === 0 && rate === 0, `${cat} VAT is 0`)
      fail(`BR-${cat}-02`, sellerVat, 'seller VAT id')
      if (cat === 'Z') fail('BR-Z-10', !reason, 'no exemption reason on Z')
      if (cat === 'E') fail('BR-E-10', reason, 'exemption reason on E')
      if (cat === 'AE') {
        fail('BR-AE-10', reason, 'exemption reason on AE')
        fail('BR-AE-02', buyerVat, 'buyer VAT id on reverse charge')
      }
    }
  }
  for (const key of byGroup.keys()) {
    const cat = key.split(':')[0]
    fail(`BR-${cat}-01`, seen.has(key), `breakdown for lines of ${key}`)
  }
  return out
}

/** quantity × price / base = net, rounded half-up to 2 decimals, in exact integer arithmetic. */
function lineMatches(quantity: string | undefined, price: string, base: string, netMinor: number) {
  const frac = (s: string) => {
    const [w, f = ''] = s.replace('-', '').split('.')
    return { n: BigInt(w + f) * (s.startsWith('-') ? -1n : 1n), d: 10n ** BigInt(f.length) }
  }
  if (!quantity) return false
  const q = frac(quantity)
  const p = frac(price)
  const b = frac(base)
  // net = q·p/b in currency units → minor units ×100
  const num = q.n * p.n * b.d * 100n
  const den = q.d * p.d * b.n
  const abs = num < 0n ? -num : num
  const rounded = (abs * 2n + den) / (den * 2n)
  return (num < 0n ? -rounded : rounded) === BigInt(netMinor)
}
