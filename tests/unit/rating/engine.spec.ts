import { test } from '@japa/runner'
import { RateDeck } from '#rating/deck'
import { billableSeconds, billableKilobytes, rateRecord } from '#rating/engine'
import { ZoneClock } from '#rating/time_band'
import type { DeckRate, RatingInput } from '#rating/types'

let nextId = 1
function rate(attrs: Partial<DeckRate> & Pick<DeckRate, 'prefix'>): DeckRate {
  return {
    id: nextId++,
    destination: `Dest ${attrs.prefix}`,
    category: 'national',
    peakMicros: 0,
    offpeakMicros: 0,
    weekendMicros: 0,
    connectionMicros: 0,
    minimumMicros: 0,
    initialS: 60,
    subsequentS: 60,
    effectiveFrom: '2026-01-01',
    ...attrs,
  }
}

const london = new ZoneClock('Europe/London')
const at = (iso: string) => Date.parse(iso)
function call(
  startIso: string,
  destination: string | null,
  durationS: number,
  extra: Partial<RatingInput> = {}
): RatingInput {
  return {
    startMs: at(startIso),
    category: 'voice',
    destination,
    durationS,
    volumeBytes: 0,
    quantity: 1,
    costE4: null,
    ...extra,
  }
}

// Flat 1.20/min in every band, 60/60: 2p per second → easy to read.
const flat = rate({
  prefix: '44',
  peakMicros: 1_200_000,
  offpeakMicros: 1_200_000,
  weekendMicros: 1_200_000,
})

test.group('Rating rules | billable seconds', () => {
  test('duration 0 or less is not charged at all', ({ assert }) => {
    assert.equal(billableSeconds(0, 60, 60), 0)
    assert.equal(billableSeconds(-5, 30, 6), 0)
    const deck = new RateDeck([
      rate({
        prefix: '44',
        peakMicros: 600_000,
        connectionMicros: 100_000,
        minimumMicros: 200_000,
      }),
    ])
    const r = rateRecord(deck, london, 0, call('2026-01-05T10:00:00Z', '+441234567890', 0))
    assert.equal(r.status, 'rated')
    assert.equal(r.priceE4, 0)
  })

  test('exactly the initial increment, and one second over', ({ assert }) => {
    assert.equal(billableSeconds(60, 60, 60), 60)
    assert.equal(billableSeconds(61, 60, 60), 120)
    assert.equal(billableSeconds(1, 30, 6), 30)
    assert.equal(billableSeconds(30, 30, 6), 30)
    assert.equal(billableSeconds(31, 30, 6), 36)
    assert.equal(billableSeconds(37, 30, 6), 42)
    assert.equal(billableSeconds(1, 1, 1), 1)
    assert.equal(billableSeconds(59, 1, 1), 59)
    const deck = new RateDeck([flat])
    assert.equal(
      rateRecord(deck, london, 0, call('2026-01-05T10:00:00Z', '441234', 60)).priceE4,
      12_000
    )
    assert.equal(
      rateRecord(deck, london, 0, call('2026-01-05T10:00:00Z', '441234', 61)).priceE4,
      24_000
    )
    assert.equal(
      rateRecord(deck, london, 0, call('2026-01-05T10:00:00Z', '441234', 1)).priceE4,
      12_000
    )
  })

  test('connection and minimum charges: max(connection + seconds × rate / 60, minimum)', ({
    assert,
  }) => {
    const deck = new RateDeck([
      rate({
        prefix: '447',
        category: 'mobile',
        peakMicros: 80_000,
        connectionMicros: 10_000,
        minimumMicros: 20_000,
        initialS: 1,
        subsequentS: 1,
      }),
    ])
    // 1 s: 0.01 + 0.08/60 = 0.011333… < minimum 0.02
    assert.equal(
      rateRecord(deck, london, 0, call('2026-01-05T10:00:00Z', '447700900123', 1)).priceE4,
      200
    )
    // 30 s: 0.01 + 0.04 = 0.05
    assert.equal(
      rateRecord(deck, london, 0, call('2026-01-05T10:00:00Z', '447700900123', 30)).priceE4,
      500
    )
    // 7 s: 0.01 + 0.0093333… = 0.0193333… → minimum 0.02
    assert.equal(
      rateRecord(deck, london, 0, call('2026-01-05T10:00:00Z', '447700900123', 7)).priceE4,
      200
    )
    // 8 s: 0.01 + 0.0106666… = 0.0206666… → 0.0207 (half-up at 4 dp)
    assert.equal(
      rateRecord(deck, london, 0, call('2026-01-05T10:00:00Z', '447700900123', 8)).priceE4,
      207
    )
  })

  test('price is rounded half-up to 4 dp exactly', ({ assert }) => {
    // 1 s at 0.003/min = 0.00005 exactly → 0.0001
    const half = new RateDeck([
      rate({ prefix: '1', peakMicros: 3000, initialS: 1, subsequentS: 1 }),
    ])
    assert.equal(rateRecord(half, london, 0, call('2026-01-05T10:00:00Z', '1212', 1)).priceE4, 1)
    // 1 s at 0.002999/min = 0.0000499833… → 0
    const below = new RateDeck([
      rate({ prefix: '1', peakMicros: 2999, initialS: 1, subsequentS: 1 }),
    ])
    assert.equal(rateRecord(below, london, 0, call('2026-01-05T10:00:00Z', '1212', 1)).priceE4, 0)
  })
})

test.group('Rating rules | time bands in the customer time zone', () => {
  const banded = new RateDeck([
    rate({ prefix: '44', peakMicros: 600_000, offpeakMicros: 300_000, weekendMicros: 60_000 }),
  ])
  const band = (iso: string, clock = london) =>
    rateRecord(banded, clock, 0, call(iso, '4420', 60)).band

  test('a call starting 17:59:59 on a Friday is peak, 18:00:00 is offpeak', ({ assert }) => {
    assert.equal(band('2026-01-09T17:59:59Z'), 'peak') // Friday, GMT
    assert.equal(band('2026-01-09T18:00:00Z'), 'offpeak')
    // Summer time: 17:59:59 BST is 16:59:59 UTC
    assert.equal(band('2026-07-10T16:59:59Z'), 'peak')
    assert.equal(band('2026-07-10T17:00:00Z'), 'offpeak')
    // The whole call takes its start's band: a 2-hour call from 17:59:59 is all peak.
    const r = rateRecord(banded, london, 0, call('2026-01-09T17:59:59Z', '4420', 7200))
    assert.equal(r.priceE4, 720_000) // 120 min × 0.60 = 72.00, all at the peak rate
  })

  test('weekend is Saturday and Sunday; peak starts 08:00 Monday to Friday', ({ assert }) => {
    assert.equal(band('2026-01-10T12:00:00Z'), 'weekend')
    assert.equal(band('2026-01-11T23:59:59Z'), 'weekend')
    assert.equal(band('2026-01-12T07:59:59Z'), 'offpeak')
    assert.equal(band('2026-01-12T08:00:00Z'), 'peak')
    assert.equal(band('2026-01-09T23:30:00Z'), 'offpeak') // Friday night
  })

  test('DST change nights (Europe/London, spring forward and fall back)', ({ assert }) => {
    // 29 March 2026: 01:00 GMT becomes 02:00 BST.
    assert.equal(london.offsetMs(at('2026-03-29T00:59:59Z')), 0)
    assert.equal(london.offsetMs(at('2026-03-29T01:00:00Z')), 3_600_000)
    // Sunday 23:30 UTC is already Monday 00:30 BST → offpeak, not weekend.
    assert.equal(band('2026-03-29T23:30:00Z'), 'offpeak')
    // Monday 07:30 UTC is 08:30 BST → peak.
    assert.equal(band('2026-03-30T07:30:00Z'), 'peak')
    // 25 October 2026: 02:00 BST falls back to 01:00 GMT.
    assert.equal(london.offsetMs(at('2026-10-25T00:59:59Z')), 3_600_000)
    assert.equal(london.offsetMs(at('2026-10-25T01:00:00Z')), 0)
    // Friday 23 Oct 16:59:59 UTC = 17:59:59 BST (peak); Monday 26 Oct 07:30 UTC = 07:30 GMT (offpeak).
    assert.equal(band('2026-10-23T16:59:59Z'), 'peak')
    assert.equal(band('2026-10-26T07:30:00Z'), 'offpeak')
    assert.equal(band('2026-10-26T08:00:00Z'), 'peak')
    // Both 01:30s of the repeated hour are on Sunday 25 October.
    assert.equal(
      london.localDay(at('2026-10-25T00:30:00Z')),
      london.localDay(at('2026-10-25T01:30:00Z'))
    )
  })

  test('other zones: New York DST and a half-hour offset', ({ assert }) => {
    const ny = new ZoneClock('America/New_York')
    assert.equal(band('2026-03-09T12:00:00Z', ny), 'peak') // Monday 08:00 EDT
    assert.equal(band('2026-03-09T11:59:59Z', ny), 'offpeak')
    assert.equal(band('2026-03-06T12:59:59Z', ny), 'offpeak') // Friday 07:59:59 EST
    const kolkata = new ZoneClock('Asia/Kolkata')
    assert.equal(band('2026-01-12T02:29:59Z', kolkata), 'offpeak') // 07:59:59 IST
    assert.equal(band('2026-01-12T02:30:00Z', kolkata), 'peak')
    assert.throws(() => new ZoneClock('Mars/Olympus'))
  })
})

test.group('Rating rules | longest prefix and effective dates', () => {
  test('overlapping prefixes: the longest matching prefix wins', ({ assert }) => {
    const deck = new RateDeck([
      rate({ prefix: '44', destination: 'UK', category: 'national', peakMicros: 60_000 }),
      rate({ prefix: '447', destination: 'UK mobile', category: 'mobile', peakMicros: 120_000 }),
      rate({
        prefix: '4477009',
        destination: 'UK mobile special',
        category: 'mobile',
        peakMicros: 600_000,
      }),
    ])
    const dest = (n: string) =>
      rateRecord(deck, london, 0, call('2026-01-05T10:00:00Z', n, 60)).rate?.destination ?? null
    assert.equal(dest('+447700900123'), 'UK mobile special')
    assert.equal(dest('447512345678'), 'UK mobile')
    assert.equal(dest('442071234567'), 'UK')
    assert.equal(dest('4'), null)
    assert.equal(dest('33123456789'), null)
    assert.equal(
      rateRecord(deck, london, 0, call('2026-01-05T10:00:00Z', '447700900123', 60)).priceE4,
      6000
    )
  })

  test('a rate that becomes effective mid-month applies from its date in the customer time zone', ({
    assert,
  }) => {
    const deck = new RateDeck([
      rate({
        prefix: '44',
        destination: 'old',
        peakMicros: 60_000,
        offpeakMicros: 60_000,
        weekendMicros: 60_000,
        effectiveFrom: '2026-01-01',
      }),
      rate({
        prefix: '44',
        destination: 'new',
        peakMicros: 90_000,
        offpeakMicros: 90_000,
        weekendMicros: 90_000,
        effectiveFrom: '2026-07-15',
      }),
    ])
    const dest = (iso: string) =>
      rateRecord(deck, london, 0, call(iso, '4420', 60)).rate?.destination
    assert.equal(dest('2026-07-14T22:59:59Z'), 'old') // 23:59:59 BST on the 14th
    assert.equal(dest('2026-07-14T23:00:00Z'), 'new') // 00:00 BST on the 15th
    assert.equal(rateRecord(deck, london, 0, call('2026-07-20T10:00:00Z', '4420', 60)).priceE4, 900)
    // Before the first version there is no rate at all.
    assert.equal(
      rateRecord(deck, london, 0, call('2025-12-31T10:00:00Z', '4420', 60)).status,
      'unrated'
    )
  })

  test('a longer prefix not yet effective falls back to the shorter one', ({ assert }) => {
    const deck = new RateDeck([
      rate({ prefix: '44', destination: 'UK', effectiveFrom: '2026-01-01' }),
      rate({
        prefix: '447',
        destination: 'UK mobile',
        category: 'mobile',
        effectiveFrom: '2026-02-01',
      }),
    ])
    const r1 = rateRecord(deck, london, 0, call('2026-01-20T10:00:00Z', '447700900123', 60))
    const r2 = rateRecord(deck, london, 0, call('2026-02-01T10:00:00Z', '447700900123', 60))
    assert.equal(r1.rate?.destination, 'UK')
    assert.equal(r2.rate?.destination, 'UK mobile')
    assert.equal(r2.rate?.category, 'mobile')
  })
})

test.group('Rating rules | data, messages, markup, unrated', () => {
  const deck = new RateDeck([
    rate({
      prefix: '',
      category: 'data',
      destination: 'Data',
      peakMicros: 1_000_000,
      offpeakMicros: 1_000_000,
      weekendMicros: 1_000_000,
    }),
    rate({
      prefix: '33',
      category: 'data',
      destination: 'Data roaming FR',
      peakMicros: 5_000_000,
      offpeakMicros: 5_000_000,
      weekendMicros: 5_000_000,
    }),
    rate({
      prefix: '',
      category: 'sms',
      destination: 'SMS',
      peakMicros: 50_000,
      offpeakMicros: 50_000,
      weekendMicros: 50_000,
    }),
    rate({ prefix: '44', category: 'national', peakMicros: 60_000 }),
  ])
  const data = (bytes: number, destination: string | null = null) =>
    rateRecord(
      deck,
      london,
      0,
      call('2026-01-05T10:00:00Z', destination, 0, { category: 'data', volumeBytes: bytes })
    )

  test('data: billable KB = ceil(bytes/1024); price = KB/1024 × rate per MB', ({ assert }) => {
    assert.equal(billableKilobytes(0), 0)
    assert.equal(billableKilobytes(1), 1)
    assert.equal(billableKilobytes(1024), 1)
    assert.equal(billableKilobytes(1025), 2)
    assert.equal(data(0).priceE4, 0)
    assert.equal(data(1).priceE4, 10) // 1/1024 MB × 1.00 = 0.0009765625 → 0.0010
    assert.equal(data(1_048_576).priceE4, 10_000) // exactly 1 MB
    assert.equal(data(1_048_577).priceE4, 10_010) // 1025 KB
    assert.equal(data(1_048_576, '33').priceE4, 50_000)
    assert.equal(data(1_048_576, '33').rate?.destination, 'Data roaming FR')
  })

  test('messages: quantity × rate per message', ({ assert }) => {
    const r = rateRecord(
      deck,
      london,
      0,
      call('2026-01-05T10:00:00Z', '447700900123', 0, { category: 'sms', quantity: 3 })
    )
    assert.equal(r.status, 'rated')
    assert.equal(r.priceE4, 1500)
    assert.equal(r.rate?.destination, 'SMS')
  })

  test('no matching rate: supplier cost × (1 + markup), half-up', ({ assert }) => {
    const m = (costE4: number) =>
      rateRecord(deck, london, 1500, call('2026-01-05T10:00:00Z', '33123456789', 60, { costE4 }))
    assert.equal(m(10_000).status, 'markup')
    assert.equal(m(10_000).priceE4, 11_500)
    assert.equal(m(10).priceE4, 12) // 11.5 → 12
    assert.equal(m(3).priceE4, 3) // 3.45 → 3
    assert.equal(m(0).priceE4, 0)
    assert.equal(m(0).status, 'markup')
  })

  test('no matching rate and no cost: unrated with a reason, never a silent 0', ({ assert }) => {
    const r = rateRecord(deck, london, 1500, call('2026-01-05T10:00:00Z', '33123456789', 60))
    assert.equal(r.status, 'unrated')
    assert.equal(r.reason, 'no rate for destination')
    const noDest = rateRecord(deck, london, 1500, call('2026-01-05T10:00:00Z', null, 60))
    assert.equal(noDest.status, 'unrated')
    assert.equal(noDest.reason, 'no destination')
  })

  test('storage and licence records are not priced by the deck', ({ assert }) => {
    for (const category of ['storage', 'licence']) {
      const r = rateRecord(
        deck,
        london,
        0,
        call('2026-01-05T10:00:00Z', null, 0, { category, volumeBytes: 5e9 })
      )
      assert.deepEqual([r.status, r.priceE4, r.reason], ['rated', 0, null])
    }
  })
})

test.group('Rate deck index', () => {
  test('rates added after a lookup are found; same prefix and date replaces', ({ assert }) => {
    const deck = new RateDeck([
      {
        id: 1,
        prefix: '44',
        destination: 'UK',
        category: 'national',
        peakMicros: 1,
        offpeakMicros: 1,
        weekendMicros: 1,
        connectionMicros: 0,
        minimumMicros: 0,
        initialS: 60,
        subsequentS: 60,
        effectiveFrom: '2026-01-01',
      },
    ])
    const day = 20_500
    assert.equal(deck.match('voice', '4420', day)?.id, 1)
    deck.add({
      id: 2,
      prefix: '4420',
      destination: 'London',
      category: 'national',
      peakMicros: 1,
      offpeakMicros: 1,
      weekendMicros: 1,
      connectionMicros: 0,
      minimumMicros: 0,
      initialS: 60,
      subsequentS: 60,
      effectiveFrom: '2026-01-01',
    })
    assert.equal(deck.match('voice', '44201234', day)?.id, 2)
    deck.add({
      id: 3,
      prefix: '4420',
      destination: 'London v2',
      category: 'national',
      peakMicros: 2,
      offpeakMicros: 2,
      weekendMicros: 2,
      connectionMicros: 0,
      minimumMicros: 0,
      initialS: 60,
      subsequentS: 60,
      effectiveFrom: '2026-01-01',
    })
    assert.equal(deck.match('voice', '44201234', day)?.id, 3)
    assert.equal(deck.match('sms', '44201234', day), null) // calls and messages are separate decks
    assert.throws(() =>
      deck.add({
        id: 4,
        prefix: '',
        destination: 'x',
        category: 'national',
        peakMicros: 1,
        offpeakMicros: 1,
        weekendMicros: 1,
        connectionMicros: 0,
        minimumMicros: 0,
        initialS: 60,
        subsequentS: 60,
        effectiveFrom: '2026-01-01',
      })
    )
  })
})
