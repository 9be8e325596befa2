import { test } from '@japa/runner'
import {
  classifyDestination,
  compileInternalRules,
  internalRulesFromSettings,
} from '#lib/destinations'
import { AsteriskParser } from '#connectors/asterisk'
import { RateDeck } from '#rating/deck'
import { rateRecord } from '#rating/engine'
import { ZoneClock } from '#rating/time_band'
import type { DeckRate } from '#rating/types'

const rate = (prefix: string, destination: string): DeckRate => ({
  id: Number(prefix),
  prefix,
  destination,
  category: 'international',
  peakMicros: 600_000,
  offpeakMicros: 600_000,
  weekendMicros: 600_000,
  connectionMicros: 0,
  minimumMicros: 0,
  initialS: 60,
  subsequentS: 60,
  effectiveFrom: '2026-01-01',
})
// The prefixes the issue saw misused: Egypt (20), Russia (7), USA & Canada (1), UK (44).
const deck = new RateDeck([
  rate('20', 'Egypt'),
  rate('7', 'Russia'),
  rate('1', 'USA & Canada'),
  rate('44', 'United Kingdom'),
])
const london = new ZoneClock('Europe/London')
const priced = (destination: string, category = 'voice') =>
  rateRecord(deck, london, 0, {
    startMs: Date.parse('2026-07-01T09:00:00Z'),
    category,
    destination,
    durationS: 60,
    volumeBytes: 0,
    quantity: 1,
    costE4: null,
  })

test.group('Billable destination rule', () => {
  test('E.164, 00-international and national numbers are numbers, as E.164 digits', ({
    assert,
  }) => {
    assert.deepEqual(classifyDestination('+44 20 7946 0018'), {
      kind: 'number',
      digits: '442079460018',
    })
    assert.deepEqual(classifyDestination('00442079460018'), {
      kind: 'number',
      digits: '442079460018',
    })
    assert.deepEqual(classifyDestination('020 7946 0018'), {
      kind: 'number',
      digits: '442079460018',
    })
    assert.deepEqual(classifyDestination('07700 900123'), {
      kind: 'number',
      digits: '447700900123',
    })
    assert.deepEqual(classifyDestination('12125550123'), { kind: 'number', digits: '12125550123' })
    assert.deepEqual(classifyDestination('0012125550123'), {
      kind: 'number',
      digits: '12125550123',
    })
    assert.deepEqual(classifyDestination('+7 495 123-45-67'), {
      kind: 'number',
      digits: '74951234567',
    })
  })

  test('each example of the issue is internal, never a number', ({ assert }) => {
    for (const raw of [
      '2005',
      '1000',
      '*72*2010',
      'voicemail*101',
      '=1+1',
      '<img src=x onerror=alert(1)>',
      '#31#',
      '*97',
      '101',
      '999999',
    ]) {
      const d = classifyDestination(raw)
      assert.equal(d.kind, 'internal', raw)
    }
    assert.deepEqual(classifyDestination('*72*2010'), { kind: 'internal', reason: 'feature code' })
    assert.deepEqual(classifyDestination('voicemail*101'), { kind: 'internal', reason: 'text' })
    assert.deepEqual(classifyDestination('=1+1'), { kind: 'internal', reason: 'text' })
    assert.deepEqual(classifyDestination('2005'), { kind: 'internal', reason: 'extension' })
    assert.deepEqual(classifyDestination(''), { kind: 'none' })
    assert.deepEqual(classifyDestination('   '), { kind: 'none' })
  })

  test('a destination is never reduced to the digits inside it', ({ assert }) => {
    // 722010 would be Russia, 1000 USA & Canada, 2005 Egypt: none of them is priced.
    for (const raw of ['*72*2010', 'voicemail*101', '=1+1', '<img src=1>', 'abc2005']) {
      const r = priced(raw)
      assert.equal(r.status, 'internal', raw)
      assert.equal(r.priceE4, 0)
      assert.isNull(r.rate)
    }
    assert.equal(priced('2005', 'internal').status, 'internal')
    assert.equal(priced('442079460018').status, 'rated')
    assert.equal(priced('442079460018').rate?.destination, 'United Kingdom')
    // Data sessions keep their APN-like text destinations and are not made internal.
    assert.notEqual(priced('internet.example', 'data').status, 'internal')
  })

  test('per-connector rules: extension lengths and patterns', ({ assert }) => {
    const rules = compileInternalRules({ extensionLengths: [5], patterns: ['^9\\d{6}$'] })
    // 5-digit extensions of this PBX, and 9 + six digits (a site code): internal.
    assert.deepEqual(classifyDestination('12345', rules), { kind: 'internal', reason: 'extension' })
    assert.deepEqual(classifyDestination('9123456', rules), {
      kind: 'internal',
      reason: 'extension',
    })
    assert.equal(classifyDestination('02079460018', rules).kind, 'number')
    // A number written with "+" is always a number, whatever its length.
    assert.equal(
      classifyDestination('+442079460018', compileInternalRules({ extensionLengths: [12] })).kind,
      'number'
    )
    assert.throws(
      () => compileInternalRules({ patterns: ['(unclosed'] }),
      /internal number pattern "\(unclosed"/
    )
    assert.throws(
      () => compileInternalRules({ extensionLengths: [0] }),
      /internal number length "0"/
    )
    const fromSettings = internalRulesFromSettings({
      internalLengths: '3, 4',
      internalPatterns: '^8\\d{3}$\n',
    })
    assert.deepEqual([...fromSettings.lengths], [3, 4])
    assert.equal(classifyDestination('8123', fromSettings).kind, 'internal')
  })

  test('a deck can vouch for a bare possible number libphonenumber does not know as valid', ({
    assert,
  }) => {
    // Ofcom's drama range 07700 900xxx is possible but not valid: written nationally ("0…") it is a number;
    // as bare international digits only when the deck knows the prefix.
    assert.equal(classifyDestination('447700900123').kind, 'internal')
    const d = classifyDestination('447700900123', undefined, undefined, (digits) =>
      digits.startsWith('447700')
    )
    assert.deepEqual(d, { kind: 'number', digits: '447700900123' })
    assert.deepEqual(classifyDestination('+447700900123'), {
      kind: 'number',
      digits: '447700900123',
    })
  })

  test('the Asterisk parser stores internal calls under their own category, text kept as written', ({
    assert,
  }) => {
    const row = (dst: string) => [
      '',
      '2001',
      dst,
      'from-internal',
      '',
      'SIP/2001-1',
      '',
      'Dial',
      '',
      '2026-07-01 09:00:00',
      '2026-07-01 09:00:05',
      '2026-07-01 09:01:35',
      '95',
      '90',
      'ANSWERED',
      'DOCUMENTATION',
      '',
      `u-${dst}`,
    ]
    const p = new AsteriskParser('Europe/London', 'Europe/London')
    for (const dst of ['2005', '*72*2010', 'voicemail*101', '=1+1']) {
      const out = p.parse(row(dst), 1)
      assert.equal(out.kind, 'record')
      if (out.kind !== 'record') continue
      assert.equal(out.record.category, 'internal', dst)
      assert.equal(out.record.destination, dst)
    }
    const out = p.parse(row('07700 900123'), 2)
    assert.equal(out.kind === 'record' && out.record.category, 'voice')
    assert.equal(out.kind === 'record' && out.record.destination, '447700900123')
    const withRules = new AsteriskParser(
      'Europe/London',
      'Europe/London',
      compileInternalRules({ extensionLengths: [6] })
    )
    const six = withRules.parse(row('123456'), 3)
    assert.equal(six.kind === 'record' && six.record.category, 'internal')
  })
})
