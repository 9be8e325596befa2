import { test } from '@japa/runner'
import {
  CsvProfileParser,
  checkProfile,
  previewProfile,
  type ProfileConfig,
} from '#connectors/csv_profile'
import { compileInternalRules } from '#lib/destinations'

// A UK Standard CDR-like carrier file read through a profile: the case a profile could not express before.
const header = [
  'Call Type',
  'Customer Identifier',
  'Telephone Number Dialled',
  'Call Date',
  'Call Time',
  'Duration',
  'Bytes Transmitted',
  'Bytes Received',
  'Salesprice',
  'Record ID',
  'CLI',
]
const row = (over: Partial<Record<string, string>> = {}) => {
  const base: Record<string, string> = {
    'Call Type': 'V',
    'Customer Identifier': 'ACME001',
    'Telephone Number Dialled': '02079460018',
    'Call Date': '03/07/2026',
    'Call Time': '09:15:00',
    'Duration': '00:02:05',
    'Bytes Transmitted': '1000',
    'Bytes Received': '24',
    'Salesprice': '1.25',
    'Record ID': 'R-1',
    'CLI': '01632960001',
  }
  return header.map((h) => over[h] ?? base[h])
}
const config: ProfileConfig = {
  dateFormat: 'dd/MM/yyyy HH:mm:ss',
  timeZone: 'Europe/London',
  durationFormat: 'hh:mm:ss',
  costUnit: 'pence',
  columns: {
    number: 'CLI',
    date: 'Call Date',
    time: 'Call Time',
    destination: 'Telephone Number Dialled',
    duration: 'Duration',
    volume: 'Bytes Transmitted + Bytes Received',
    cost: 'Salesprice',
    account: 'Customer Identifier',
  },
  constants: { description: 'Carrier X' },
  filters: [
    { column: 'Call Type', op: 'equals', value: 'I' },
    { column: 'Customer Identifier', op: 'notEquals', value: 'ACME001' },
  ],
  dedupeColumns: ['Record ID', 'Call Date'],
}
const parser = (c: ProfileConfig = config) => {
  const p = new CsvProfileParser(
    c,
    'Europe/London',
    'carrierx',
    compileInternalRules({ extensionLengths: [4] })
  )
  p.header(header)
  return p
}

test.group('Mapping profiles | computed fields, constants, filters, keys, account', () => {
  test('date + time from two columns, hh:mm:ss, a sum of columns, pence, a constant, the account and key columns', ({
    assert,
  }) => {
    const out = parser().parse(row(), 2)
    assert.equal(out.kind, 'record')
    if (out.kind !== 'record') return
    assert.deepInclude(out.record, {
      identifier: '+441632960001',
      account: 'ACME001',
      occurredAt: '2026-07-03 08:15:00',
      destination: '442079460018',
      durationS: 125,
      volumeBytes: 1024,
      costE4: 125,
      description: 'Carrier X',
      dedupeKey: 'prof:carrierx:k:R-1|03/07/2026',
      category: 'voice',
    })
  })

  test('row filters skip (equals / does not equal); they are not errors', ({ assert }) => {
    const p = parser()
    assert.deepEqual(p.parse(row({ 'Call Type': 'I' }), 3), { kind: 'skip' })
    assert.deepEqual(p.parse(row({ 'Customer Identifier': 'OTHER9' }), 4), { kind: 'skip' })
    assert.equal(p.parse(row({ 'Call Type': 'V ' }), 5).kind, 'record')
  })

  test('a sum with one empty cell counts the other; a bad part names the field', ({ assert }) => {
    const p = parser()
    const one = p.parse(row({ 'Bytes Received': '' }), 2)
    assert.equal(one.kind === 'record' && one.record.volumeBytes, 1000)
    const bad = p.parse(row({ 'Bytes Received': 'lots' }), 2)
    assert.deepInclude(bad, { kind: 'error', field: 'volume' })
    const pence = p.parse(row({ Salesprice: '1.255' }), 2)
    assert.deepInclude(pence, { kind: 'error', field: 'cost' })
    const dur = p.parse(row({ Duration: '2 minutes' }), 2)
    assert.deepInclude(dur, { kind: 'error', field: 'duration' })
  })

  test('internal destinations by the one rule and the connector rules', ({ assert }) => {
    const p = parser()
    for (const dst of ['2005', '*72*2010', '=1+1']) {
      const out = p.parse(row({ 'Telephone Number Dialled': dst }), 2)
      assert.equal(out.kind === 'record' && out.record.category, 'internal', dst)
      assert.equal(out.kind === 'record' && out.record.destination, dst)
    }
  })

  test('the profile check names what is wrong', ({ assert }) => {
    assert.include(
      checkProfile({ ...config, columns: { ...config.columns, description: 'A + B' } }),
      'description cannot be a sum of columns'
    )
    assert.include(
      checkProfile({ ...config, constants: { number: '123' } }),
      'number cannot be a constant'
    )
    assert.include(
      checkProfile({ ...config, filters: [{ column: '', op: 'equals', value: 'x' }] }),
      'filter 1: choose a column'
    )
    assert.include(
      checkProfile({ ...config, filters: [{ column: 'A', op: 'like' as any, value: 'x' }] }),
      'filter 1: the condition is "equals" or "notEquals"'
    )
    assert.include(
      checkProfile({ ...config, costUnit: 'cents' as any }),
      'unknown cost unit "cents"'
    )
    assert.throws(
      () => parser({ ...config, filters: [{ column: 'Nope', op: 'equals', value: '' }] }),
      /column "Nope" for a filter/
    )
  })

  test('the preview reads a sample with the new features', ({ assert }) => {
    const sample = [header, row(), row({ 'Call Type': 'I' })].map((r) => r.join(',')).join('\n')
    const result = previewProfile(config, sample, 'Europe/London')
    assert.deepEqual(result.problems, [])
    assert.equal(result.rows[0].outcome?.kind, 'record')
    assert.deepEqual(result.rows[1].outcome, { kind: 'skip' })
  })
})
