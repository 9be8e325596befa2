import { test } from '@japa/runner'
import { RateDeck } from '#rating/deck'
import { PackedTexts } from '#rating/packed_texts'
import type { DeckRate } from '#rating/types'

function rate(id: number, prefix: string, destination: string): DeckRate {
  return {
    id,
    prefix,
    destination,
    category: 'international',
    peakMicros: id,
    offpeakMicros: 0,
    weekendMicros: 0,
    connectionMicros: 0,
    minimumMicros: 0,
    initialS: 60,
    subsequentS: 60,
    effectiveFrom: '2026-01-01',
  }
}

/** Prefixes in random order (xorshift32), so deep nodes are made early and shallow ones late. */
function randomPrefixes(count: number): string[] {
  let seed = 7
  const next = () => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return seed >>> 0
  }
  const set = new Set<string>()
  while (set.size < count) {
    let p = String(1 + (next() % 900))
    const extra = next() % 6
    for (let i = 0; i < extra; i++) p += String(next() % 10)
    set.add(p)
  }
  return [...set]
}

test.group('Rate deck layout', () => {
  test('a deck past the 10-way table (65,536 nodes) matches the longest prefix like a plain scan', ({
    assert,
  }) => {
    const prefixes = randomPrefixes(60_000)
    const deck = new RateDeck([], 1000)
    prefixes.forEach((p, i) => deck.add(rate(i + 1, p, `Destination ${p}`)))
    deck.seal()
    assert.isAbove(deck.nodes, 70_000)
    const idOf = new Map(prefixes.map((p, i) => [p, i + 1]))
    const longest = (digits: string) => {
      for (let end = digits.length; end > 0; end--) {
        const id = idOf.get(digits.slice(0, end))
        if (id !== undefined) return id
      }
      return undefined
    }
    for (let k = 0; k < prefixes.length; k += 7) {
      for (const digits of [prefixes[k] + '0', prefixes[k] + '987654', prefixes[k].slice(0, -1)]) {
        assert.equal(deck.match('voice', digits, 20_500)?.id, longest(digits), digits)
      }
    }
    const p = prefixes[12_345]
    const hit = deck.match('voice', `+${p}55`, 20_500)!
    assert.equal(hit.prefix, p)
    assert.equal(hit.destination, `Destination ${p}`)
  })

  test('ids and prices past 32 bits widen the columns and come back exactly', ({ assert }) => {
    const deck = new RateDeck([], 4)
    deck.add(rate(1, '33', 'France'))
    deck.add({ ...rate(2, '34', 'Spain'), peakMicros: 2 ** 31 + 5, minimumMicros: -7 })
    deck.add(rate(2 ** 40 + 3, '35', 'Portugal'))
    deck.add({ ...rate(4, '36', 'Hungary'), offpeakMicros: 9_007_199_254_740_991 })
    deck.seal()
    assert.equal(deck.match('voice', '3312', 20_500)?.peakMicros, 1)
    assert.equal(deck.match('voice', '3412', 20_500)?.peakMicros, 2 ** 31 + 5)
    assert.equal(deck.match('voice', '3412', 20_500)?.minimumMicros, -7)
    assert.equal(deck.match('voice', '3512', 20_500)?.id, 2 ** 40 + 3)
    assert.equal(deck.match('voice', '3612', 20_500)?.offpeakMicros, 9_007_199_254_740_991)
    assert.equal(deck.match('voice', '3312', 20_500)?.id, 1)
  })

  test('texts come back exactly, in any script, read before or after sealing', ({ assert }) => {
    const texts = new PackedTexts()
    const values = ['Côte d’Ivoire Mobile', 'Россия', '日本 東京', '', 'UK 🇬🇧', 'national']
    const at = values.map((v) => texts.add(v))
    assert.equal(texts.get(at[0]), values[0])
    texts.seal()
    values.forEach((v, i) => assert.equal(texts.get(at[i]), v))
  })

  test('the same text is stored once until the intern table is full, and read right after', ({
    assert,
  }) => {
    const texts = new PackedTexts()
    assert.equal(texts.add('France'), texts.add('France'))
    const many = Array.from({ length: 60_000 }, (_, i) => texts.add(`Range ${i}`))
    // Past the intern table's 50,000 texts a repeat gets a new index, with the same text.
    const again = texts.add('Range 55000')
    assert.notEqual(again, many[55_000])
    assert.equal(texts.get(again), 'Range 55000')
    assert.equal(texts.add('Range 10'), many[10])
    texts.seal()
    assert.equal(texts.get(many[59_999]), 'Range 59999')
  })
})
