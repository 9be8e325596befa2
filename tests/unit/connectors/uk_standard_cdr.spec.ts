import { test } from '@japa/runner'
import { UK_CDR_COLUMNS, UkStandardCdrParser, poundsToE4 } from '#connectors/uk_standard_cdr_parser'
import { ImportFailure } from '#connectors/types'
import { outbound, ukCdrRow } from '#tests/helpers/uk_cdr'

const parser = (header: readonly string[] = UK_CDR_COLUMNS) => {
  const p = new UkStandardCdrParser({
    zone: 'Europe/London',
    periodZone: 'Europe/London',
    currency: 'GBP',
  })
  p.header([...header])
  return p
}

test.group('UK Standard CDR v3.01 | calls', () => {
  test('an outbound call: DD/MM/YYYY + time in UK time to UTC, Salesprice as cost, account, charge code and band kept', ({
    assert,
  }) => {
    const out = parser().parse(outbound('ACME001', 'R-1'), 2)
    assert.equal(out.kind, 'record')
    if (out.kind !== 'record') return
    assert.deepEqual(out.record, {
      dedupeKey: 'ukcdr:R-1',
      identifier: '+441632960001',
      occurredAt: '2026-07-03 08:15:00',
      period: '2026-07',
      category: 'voice',
      destination: '442079460018',
      durationS: 125,
      volumeBytes: 0,
      quantity: 1,
      description: 'London',
      costE4: 125,
      account: 'ACME001',
      chargeCode: 'UKGEO',
      timeBand: 'Peak',
    })
  })

  test('each call type: inbound, data (bytes sent + received), SMS, MMS; a PBX extension is internal', ({
    assert,
  }) => {
    const p = parser()
    const inbound = p.parse(
      outbound('ACME001', 'R-2', {
        'Call Type': 'I',
        'Telephone Number Dialled': '+448001234567',
        'DDI': '+448001234567',
        'Presentation Number': '+447700900555',
      }),
      3
    )
    assert.equal(inbound.kind === 'record' && inbound.record.category, 'inbound')
    assert.equal(inbound.kind === 'record' && inbound.record.identifier, '+448001234567')
    const data = p.parse(
      outbound('ACME001', 'R-3', {
        'Call Type': 'D',
        'Telephone Number Dialled': '',
        'Bytes Transmitted': '1000',
        'Bytes Received': '24',
        'APN': 'internet',
        'Presentation Number': '+447700900123',
      }),
      4
    )
    assert.equal(data.kind === 'record' && data.record.category, 'data')
    assert.equal(data.kind === 'record' && data.record.volumeBytes, 1024)
    assert.equal(data.kind === 'record' && data.record.destination, 'internet')
    const sms = p.parse(
      outbound('ACME001', 'R-4', {
        'Call Type': 'S',
        'Duration': '0',
        'Telephone Number Dialled': '+447700900999',
      }),
      5
    )
    assert.equal(sms.kind === 'record' && sms.record.category, 'sms')
    const mms = p.parse(outbound('ACME001', 'R-5', { 'Call Type': 'M', 'Duration': '0' }), 6)
    assert.equal(mms.kind === 'record' && mms.record.category, 'mms')
    const ext = p.parse(outbound('ACME001', 'R-6', { 'Telephone Number Dialled': '2005' }), 7)
    assert.equal(ext.kind === 'record' && ext.record.category, 'internal')
    assert.equal(ext.kind === 'record' && ext.record.destination, '2005')
  })

  test('a diverted-call pair: the inbound leg and the outbound leg charged to the diverting number', ({
    assert,
  }) => {
    const p = parser()
    const a = p.parse(
      outbound('ACME001', 'DIVERTED_INBOUND_77', {
        'Call Type': 'I',
        'Telephone Number Dialled': '+441632960001',
        'DDI': '+441632960001',
        'Presentation Number': '+447700900555',
      }),
      2
    )
    const b = p.parse(
      outbound('ACME001', 'DIVERTED_OUTBOUND_77', {
        'Telephone Number Dialled': '+447700900321',
        'Diverted Number': '+441632960001',
        'Presentation Number': '+447700900555',
        'Description': 'Mobile',
      }),
      3
    )
    assert.equal(a.kind === 'record' && a.record.category, 'inbound')
    assert.equal(b.kind === 'record' && b.record.category, 'voice')
    if (a.kind !== 'record' || b.kind !== 'record') return
    assert.equal(a.record.identifier, '+441632960001')
    assert.equal(b.record.identifier, '+441632960001')
    assert.equal(b.record.destination, '447700900321')
    assert.equal(b.record.description, 'Mobile (diverted from +441632960001)')
    assert.notEqual(a.record.dedupeKey, b.record.dedupeKey)
  })

  test('bad rows name the field: call type, date, time, duration, Salesprice, currency, bytes, missing columns', ({
    assert,
  }) => {
    const p = parser()
    const cases: [Record<string, string>, string][] = [
      [{ 'Call Type': 'X' }, 'Call Type'],
      [{ 'Call Date': '2026-07-03' }, 'Call Date'],
      [{ 'Call Date': '31/02/2026' }, 'Call Date'],
      [{ 'Call Time': '9am' }, 'Call Time'],
      [{ Duration: '-5' }, 'Duration'],
      [{ Duration: '1.5' }, 'Duration'],
      [{ Salesprice: 'abc' }, 'Salesprice'],
      [{ Salesprice: '-0.10' }, 'Salesprice'],
      [{ Currency: 'EUR' }, 'Currency'],
      [{ 'Bytes Received': 'lots' }, 'Bytes Received'],
      [{ 'Customer Identifier': '' }, 'Customer Identifier'],
      [{ 'Presentation Number': '', 'Extension': '', 'DDI': '' }, 'Presentation Number'],
    ]
    for (const [over, field] of cases) {
      const out = p.parse(outbound('ACME001', 'R-9', over), 9)
      assert.equal(out.kind, 'error', JSON.stringify(over))
      assert.equal(out.kind === 'error' && out.field, field, JSON.stringify(over))
    }
    const short = p.parse(outbound('ACME001', 'R-9').slice(0, 20), 10)
    assert.equal(short.kind, 'error')
    assert.equal(short.kind === 'error' && short.field, 'VAT')
    assert.equal(short.kind === 'error' && short.message, 'expected 42 columns, found 20')
  })

  test('an empty Salesprice is no supplier cost (the buy deck costs it), not zero', ({
    assert,
  }) => {
    const out = parser().parse(outbound('ACME001', 'R-10', { Salesprice: '' }), 2)
    assert.equal(out.kind === 'record' && out.record.costE4, null)
  })

  test('a header without a required column fails the file naming line 1 and the field', ({
    assert,
  }) => {
    const header = UK_CDR_COLUMNS.filter((c) => c !== 'Salesprice')
    assert.throws(() => parser(header), ImportFailure as any, /line 1: field Salesprice/)
  })

  test("suppliers' header names (Gamma) are read as the standard's", ({ assert }) => {
    const header = UK_CDR_COLUMNS.map((c) =>
      c === 'Telephone Number Dialled'
        ? 'Non-Charged Party'
        : c === 'Presentation Number'
          ? 'Caller Line Identity'
          : c === 'Record ID'
            ? 'RecordID'
            : c
    )
    const out = parser(header).parse(
      ukCdrRow({
        ...Object.fromEntries(UK_CDR_COLUMNS.map((c, i) => [c, outbound('X', 'G-1')[i]])),
      }),
      2
    )
    assert.equal(out.kind === 'record' && out.record.destination, '442079460018')
    assert.equal(out.kind === 'record' && out.record.dedupeKey, 'ukcdr:G-1')
  })

  test('Salesprice in pounds to e4, half-up, any decimals', ({ assert }) => {
    assert.equal(poundsToE4('0.0125'), 125)
    assert.equal(poundsToE4('0.01235'), 124)
    assert.equal(poundsToE4('0.012349'), 123)
    assert.equal(poundsToE4('£1.5'), 15000)
    assert.equal(poundsToE4('0.00005'), 1)
    assert.equal(poundsToE4('-2.00'), -20000)
  })
})

test.group('UK Standard CDR v3.01 | service charges', () => {
  const header = [
    'Charge Type',
    'Customer Identifier',
    'Telephone Number',
    'Description',
    'Chargecode',
    'Charge From Date',
    'Charge To Date',
    'Quantity',
    'Salesprice',
    'Currency',
    'Record ID',
  ]
  test('rentals, one-offs and credits become supplier-cost lines', ({ assert }) => {
    const p = parser(header)
    const rental = p.parse(
      [
        'R',
        'ACME001',
        '01632 960001',
        'SIP trunk rental',
        'SIPT',
        '01/07/2026',
        '31/07/2026',
        '2',
        '9.50',
        'GBP',
        'S-1',
      ],
      2
    )
    assert.deepEqual(rental, {
      kind: 'charge',
      charge: {
        dedupeKey: 'ukcdr:S-1',
        account: 'ACME001',
        identifier: '+441632960001',
        chargeType: 'rental',
        chargeCode: 'SIPT',
        description: 'SIP trunk rental',
        startsOn: '2026-07-01',
        endsOn: '2026-07-31',
        quantity: 2,
        costE4: 95000,
        currency: 'GBP',
      },
    })
    const oneOff = p.parse(
      ['O', 'ACME001', '', 'Installation', 'INST', '03/07/2026', '', '1', '45.00', 'GBP', 'S-2'],
      3
    )
    assert.equal(oneOff.kind === 'charge' && oneOff.charge.chargeType, 'one_off')
    const credit = p.parse(
      ['C', 'ACME001', '', 'Credit', '', '03/07/2026', '', '1', '-5.00', 'GBP', 'S-3'],
      4
    )
    assert.equal(credit.kind === 'charge' && credit.charge.costE4, -50000)
    const bad = p.parse(['Z', 'ACME001', '', '', '', '03/07/2026', '', '1', '5', 'GBP', 'S-4'], 5)
    assert.equal(bad.kind === 'error' && bad.field, 'Charge Type')
    const badDate = p.parse(
      ['R', 'ACME001', '', '', '', '2026-07-01', '', '1', '5', 'GBP', 'S-5'],
      6
    )
    assert.equal(badDate.kind === 'error' && badDate.field, 'Charge From Date')
  })
})
