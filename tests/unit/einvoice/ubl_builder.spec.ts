import { test } from '@japa/runner'
import { buildUbl, amount, scaled } from '#einvoice/ubl_builder'
import { vatGroups } from '#einvoice/vat'
import { checkDocument } from '#einvoice/document_checks'
import { EInvoiceError } from '#einvoice/errors'
import { parseFreeAddress } from '#einvoice/address_parse'
import { lineUnit } from '#einvoice/units'
import type { UblDocument, UblLine } from '#einvoice/types'
import { parseUbl, peppolViolations, text, all, minor } from '#tests/helpers/ubl_xml'

const party = (name: string, country: string | null, vat: string | null) => ({
  name,
  endpoint: { scheme: '9932', id: vat ?? 'GB000000000' },
  address: {
    street: '1 High Street',
    additional: null,
    city: 'London',
    postcode: 'EC1A 1AA',
    region: null,
    country,
  },
  vatNumber: vat,
  companyId: '01234567',
  email: 'a@b.example',
  phone: null,
})

function doc(lines: UblLine[], overrides: Partial<UblDocument> = {}): UblDocument {
  const vat = vatGroups(
    lines.map((l) => ({ amountMinor: l.netMinor, taxRateBp: l.rateBp, vatCategory: l.vatCategory }))
  )
  const net = lines.reduce((s, l) => s + l.netMinor, 0)
  const tax = vat.reduce((s, g) => s + g.taxMinor, 0)
  return {
    kind: 'invoice',
    number: 'INV-000001',
    issueDate: '2026-11-01',
    dueDate: '2026-12-01',
    taxPointDate: '2026-11-01',
    currency: 'GBP',
    buyerReference: 'PO-REF',
    orderReference: null,
    period: { start: '2026-10-01', end: '2026-10-31' },
    billingReference: null,
    note: null,
    paymentTerms: 'Payment within 30 days',
    paymentAccount: null,
    seller: party('Reseller Ltd', 'GB', 'GB123456789'),
    buyer: party('Acme <Ltd> & Co', 'GB', 'GB987654321'),
    lines,
    vat,
    totals: {
      lineExtensionMinor: net,
      taxExclusiveMinor: net,
      taxMinor: tax,
      taxInclusiveMinor: net + tax,
      payableMinor: net + tax,
    },
    ...overrides,
  }
}

const line = (
  id: string,
  netMinor: number,
  vatCategory: UblLine['vatCategory'],
  rateBp: number,
  extra: Partial<UblLine> = {}
): UblLine => ({
  id,
  name: `Line ${id}`,
  quantityE3: 12500,
  unitCode: 'MIN',
  netMinor,
  unitPriceE4: null,
  vatCategory,
  rateBp,
  ...extra,
})

test.group('UBL builder (pure)', () => {
  test('two VAT rates: one TaxSubtotal per category and rate, every listed rule holds, output escaped', ({
    assert,
  }) => {
    const xml = buildUbl(
      doc([
        line('1', 1005, 'S', 2000),
        line('2', 333, 'S', 2000),
        line('3', 2000, 'S', 500, { unitCode: 'C62', quantityE3: 2000, unitPriceE4: 100000 }),
        line('4', 150, 'Z', 0),
      ])
    )
    const root = parseUbl(xml)
    assert.deepEqual(peppolViolations(root), [])
    const subtotals = all(root, 'cac:TaxTotal/cac:TaxSubtotal').map((s) => [
      text(s, 'cac:TaxCategory/cbc:ID'),
      text(s, 'cac:TaxCategory/cbc:Percent'),
      minor(text(s, 'cbc:TaxableAmount')),
      minor(text(s, 'cbc:TaxAmount')),
    ])
    // 13.38 × 20% = 2.676 → 2.68; 20.00 × 5% = 1.00; zero rated 1.50 → 0
    assert.deepEqual(subtotals, [
      ['S', '20', 1338, 268],
      ['S', '5', 2000, 100],
      ['Z', '0', 150, 0],
    ])
    assert.equal(text(root, 'cac:LegalMonetaryTotal/cbc:PayableAmount'), '38.56')
    assert.equal(
      text(root, 'cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name'),
      'Acme <Ltd> & Co'
    )
    assert.include(xml, 'Acme &lt;Ltd&gt; &amp; Co')
    assert.equal(
      all(root, 'cac:InvoiceLine')[0]
        .getElementsByTagNameNS('*', 'InvoicedQuantity')[0]
        .getAttribute('unitCode'),
      'MIN'
    )
  })

  test('reverse charge: AE at 0% with an exemption reason; exempt E has one too', ({ assert }) => {
    const root = parseUbl(buildUbl(doc([line('1', 5000, 'AE', 0), line('2', 700, 'E', 0)])))
    assert.deepEqual(peppolViolations(root), [])
    const ae = all(root, 'cac:TaxTotal/cac:TaxSubtotal').find(
      (s) => text(s, 'cac:TaxCategory/cbc:ID') === 'AE'
    )
    assert.equal(text(ae, 'cac:TaxCategory/cbc:TaxExemptionReasonCode'), 'VATEX-EU-AE')
    assert.match(text(ae, 'cac:TaxCategory/cbc:TaxExemptionReason')!, /Reverse charge/)
    assert.equal(text(root, 'cac:TaxTotal/cbc:TaxAmount'), '0.00')
  })

  test('the rule checker catches broken documents (it can fail)', ({ assert }) => {
    const good = doc([line('1', 1000, 'S', 2000)])
    const bad = buildUbl({
      ...good,
      buyerReference: null,
      totals: { ...good.totals, payableMinor: 1 },
      buyer: { ...good.buyer, endpoint: null },
    })
    const violations = peppolViolations(parseUbl(bad)).map((v) => v.split(':')[0])
    assert.includeMembers(violations, ['PEPPOL-EN16931-R003', 'PEPPOL-EN16931-R010', 'BR-CO-16'])
  })

  test('negative lines keep a positive price; credit notes carry 381 and the invoice reference', ({
    assert,
  }) => {
    const root = parseUbl(
      buildUbl(
        doc(
          [
            line('1', 2000, 'S', 2000),
            line('2', -500, 'S', 2000, { quantityE3: -1000, unitCode: 'C62' }),
          ],
          {
            kind: 'credit_note',
            dueDate: null,
            billingReference: { number: 'INV-000009', issueDate: '2026-10-01' },
          }
        )
      )
    )
    assert.deepEqual(peppolViolations(root), [])
    assert.equal(root.localName, 'CreditNote')
    assert.equal(
      text(root, 'cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID'),
      'INV-000009'
    )
    assert.equal(text(all(root, 'cac:CreditNoteLine')[1], 'cac:Price/cbc:PriceAmount'), '5.00')
  })

  test('checkDocument names the party and field that is missing', ({ assert }) => {
    const good = doc([line('1', 1000, 'S', 2000)])
    const err = (d: UblDocument) => {
      try {
        checkDocument(d, 'Acme Ltd (ACC-1)')
        return null
      } catch (e) {
        assert.instanceOf(e, EInvoiceError)
        return e as EInvoiceError
      }
    }
    assert.isNull(err(good))
    const noCountry = err({
      ...good,
      buyer: { ...good.buyer, address: { ...good.buyer.address, country: null } },
    })!
    assert.equal(noCountry.field, 'buyer.address.country')
    assert.include(noCountry.message, 'Acme Ltd (ACC-1)')
    assert.include(noCountry.message, 'country')
    assert.equal(
      err({ ...good, seller: { ...good.seller, endpoint: null } })!.field,
      'seller.endpoint'
    )
    const ae = doc([line('1', 1000, 'AE', 0)])
    assert.equal(err({ ...ae, buyer: { ...ae.buyer, vatNumber: null } })!.field, 'buyer.vatNumber')
  })

  test('amounts and quantities are written from integers, never floats', ({ assert }) => {
    assert.equal(amount(123456789012), '1234567890.12')
    assert.equal(amount(-5), '-0.05')
    assert.equal(scaled(12500, 3), '12.5')
    assert.equal(scaled(3000, 3), '3')
    assert.deepEqual(
      lineUnit({ kind: 'usage', category: 'uk_mobile', quantity: 3, durationS: 150 }),
      { unitCode: 'MIN', unitQuantityE3: 2500 }
    )
    assert.deepEqual(lineUnit({ kind: 'usage', category: 'sms', quantity: 4, durationS: 0 }), {
      unitCode: 'C62',
      unitQuantityE3: 4000,
    })
    assert.deepEqual(
      lineUnit({ kind: 'usage', category: 'data', quantity: 2, volumeBytes: 3_000_000 }),
      { unitCode: '4L', unitQuantityE3: 3000 }
    )
    assert.deepEqual(lineUnit({ kind: 'recurring', category: 'licence', quantity: 7 }), {
      unitCode: 'C62',
      unitQuantityE3: 7000,
    })
  })
})

test.group('Free-text address parsing (migration)', () => {
  test('UK addresses become street, city, postcode and GB', ({ assert }) => {
    assert.deepEqual(parseFreeAddress('1 High Street\nLondon\nEC1A 1AA'), {
      street: '1 High Street',
      additional: null,
      city: 'London',
      postcode: 'EC1A 1AA',
      region: null,
      country: 'GB',
    })
    assert.deepEqual(parseFreeAddress('Unit 4, Mill Lane, Leeds LS1 4dy, United Kingdom'), {
      street: 'Unit 4',
      additional: 'Mill Lane',
      city: 'Leeds',
      postcode: 'LS1 4DY',
      region: null,
      country: 'GB',
    })
    assert.deepEqual(parseFreeAddress('Keizersgracht 1\n1015 CJ Amsterdam\nNetherlands'), {
      street: 'Keizersgracht 1',
      additional: null,
      city: 'Amsterdam',
      postcode: '1015 CJ',
      region: null,
      country: 'NL',
    })
  })

  test('an address naming no country and no UK postcode leaves the country empty', ({ assert }) => {
    const parsed = parseFreeAddress('Hauptstrasse 5\n10115 Berlin')!
    assert.isNull(parsed.country)
    assert.equal(parsed.city, 'Berlin')
    assert.equal(parsed.postcode, '10115')
    assert.isNull(parseFreeAddress('  \n '))
  })
})
