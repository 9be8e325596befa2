import type { DeckRate, UsageKind } from '#rating/types'
import { dayNumber } from '#rating/time_band'

interface Version {
  effDay: number
  rate: DeckRate
}

const kindCache = new Map<string, UsageKind>()
/** Which part of the deck a row (by its category) or a record (by its category) belongs to. */
export function kindOfCategory(category: string | null | undefined): UsageKind {
  if (category === 'voice') return 'voice'
  const key = category ?? ''
  let kind = kindCache.get(key)
  if (kind === undefined) {
    kind = computeKind(key)
    if (kindCache.size < 10_000) kindCache.set(key, kind)
  }
  return kind
}

function computeKind(category: string): UsageKind {
  const c = category.toLowerCase()
  if (c === 'data') return 'data'
  if (c === 'sms' || c === 'mms' || c === 'message' || c === 'messages') return 'sms'
  if (c === 'storage' || c === 'licence' || c === 'license') return 'info'
  return 'voice'
}

const NO_VERSIONS: Version[] = []
const POPCOUNT10 = new Uint8Array(1024)
for (let i = 1; i < 1024; i++) POPCOUNT10[i] = POPCOUNT10[i >> 1] + (i & 1)

/**
 * A digit trie over one kind of rate (voice, data or sms). It is built as a
 * plain 10-way trie, then compiled (lazily, on the first lookup after a change)
 * into a compact breadth-first layout: three 32-bit words per node — the index
 * of its first child, (rate list slot << 10 | bitmap of the digits that have a
 * child), and the earliest effective day of its rates. A 200k-prefix deck then
 * takes a few MB instead of ~50 MB, and a lookup touches one small record per
 * digit plus the matched rate.
 */
class DigitTrie {
  private children: Int32Array
  private nodes = 1
  /** Per node: 1 + index into `lists`, 0 when the node has no rate of its own. */
  private listOf: Int32Array
  private lists: Version[][] = []
  private packed: Int32Array | null = null
  /** Per list slot: the rate itself when the prefix has a single version (one pointer to follow). */
  private single: (DeckRate | null)[] = []

  constructor(capacity = 1024) {
    this.children = new Int32Array(capacity * 10)
    this.listOf = new Int32Array(capacity)
  }

  insert(prefix: string, version: Version) {
    if (this.sealed) throw new Error('a sealed rate deck cannot take more rates')
    this.packed = null
    let node = 0
    for (let i = 0; i < prefix.length; i++) {
      const digit = prefix.charCodeAt(i) - 48
      if (digit < 0 || digit > 9) throw new SyntaxError(`prefix "${prefix}" is not digits`)
      const slot = node * 10 + digit
      let child = this.children[slot]
      if (child === 0) {
        child = this.nodes++
        if (child * 10 + 10 > this.children.length) {
          const grown = new Int32Array(this.children.length * 2)
          grown.set(this.children)
          this.children = grown
          const listOf = new Int32Array(this.listOf.length * 2)
          listOf.set(this.listOf)
          this.listOf = listOf
        }
        this.children[slot] = child
      }
      node = child
    }
    if (this.listOf[node] === 0) {
      this.lists.push([])
      this.listOf[node] = this.lists.length
    }
    const list = this.lists[this.listOf[node] - 1]
    const same = list.findIndex((v) => v.effDay === version.effDay)
    if (same >= 0) list[same] = version
    else {
      list.push(version)
      list.sort((a, b) => b.effDay - a.effDay)
    }
  }

  /** Breadth-first renumbering into the compact three-word layout. */
  private compile(): Int32Array {
    if (this.lists.length >= 1 << 21)
      throw new RangeError('a rate deck holds at most 2,097,151 prefixes per kind')
    const packed = new Int32Array(this.nodes * 3)
    const order = new Int32Array(this.nodes) // new index → old node
    order[0] = 0
    let tail = 1
    for (let head = 0; head < tail; head++) {
      const old = order[head]
      let bitmap = 0
      const first = tail
      for (let d = 0; d < 10; d++) {
        const child = this.children[old * 10 + d]
        if (child !== 0) {
          bitmap |= 1 << d
          order[tail++] = child
        }
      }
      const slot = this.listOf[old]
      packed[head * 3] = first
      packed[head * 3 + 1] = (slot << 10) | bitmap
      // The earliest effective day of the node's versions: a lookup checks it without touching objects.
      packed[head * 3 + 2] =
        slot === 0 ? 0x7fffffff : this.lists[slot - 1][this.lists[slot - 1].length - 1].effDay
    }
    this.single = [null, ...this.lists.map((list) => (list.length === 1 ? list[0].rate : null))]
    this.packed = packed
    return packed
  }

  /** The longest prefix of `digits` that has a version effective on `day`. */
  lookup(digits: string, day: number, from = 0): DeckRate | null {
    const packed = this.packed ?? this.compile()
    let info = packed[1]
    let bestSlot = packed[2] <= day ? info >>> 10 : 0
    let node = 0
    for (let i = from; i < digits.length; i++) {
      const digit = digits.charCodeAt(i) - 48
      if (digit < 0 || digit > 9) break
      const bit = 1 << digit
      if ((info & bit) === 0) break
      node = packed[node * 3] + POPCOUNT10[info & (bit - 1)]
      info = packed[node * 3 + 1]
      if (packed[node * 3 + 2] <= day) bestSlot = info >>> 10
    }
    if (bestSlot === 0) return null
    return this.single[bestSlot] ?? this.effective(bestSlot, day)
  }

  private effective(slot: number, day: number): DeckRate | null {
    const list = this.lists[slot - 1]
    for (let i = 0; i < list.length; i++) if (list[i].effDay <= day) return list[i].rate
    return null
  }

  private sealed = false

  /**
   * Compiles now and lets go of what only inserting needs: the 10-way child table (about 40 MB
   * for 200k prefixes) and the version lists of prefixes that have a single rate.
   */
  seal() {
    if (!this.packed) this.compile()
    this.sealed = true
    this.children = new Int32Array(0)
    this.listOf = new Int32Array(0)
    for (let slot = 1; slot < this.single.length; slot++)
      if (this.single[slot]) this.lists[slot - 1] = NO_VERSIONS
  }

  get size() {
    return this.nodes
  }
}

/** The in-memory index of a tariff's rate deck (every effective date kept). */
export class RateDeck {
  private tries: Record<'voice' | 'data' | 'sms', DigitTrie> = {
    voice: new DigitTrie(4096),
    data: new DigitTrie(64),
    sms: new DigitTrie(64),
  }
  rows = 0

  constructor(rates: Iterable<DeckRate> = []) {
    for (const rate of rates) this.add(rate)
  }

  add(rate: DeckRate) {
    const kind = kindOfCategory(rate.category)
    if (kind === 'info') throw new RangeError(`category "${rate.category}" cannot carry rates`)
    if (kind === 'voice' && rate.prefix === '') throw new SyntaxError('a voice rate needs a prefix')
    this.tries[kind].insert(rate.prefix, { effDay: this.dayOf(rate.effectiveFrom), rate })
    this.rows++
  }

  // Rates come in runs of the same effective date: the last one's day is kept.
  private lastDate = ''
  private lastDay = 0
  private dayOf(isoDate: string) {
    if (isoDate !== this.lastDate) {
      this.lastDay = dayNumber(isoDate)
      this.lastDate = isoDate
    }
    return this.lastDay
  }

  /** Builds the compact lookup structures now (loadDeck does this once per deck). */
  seal() {
    this.tries.voice.seal()
    this.tries.data.seal()
    this.tries.sms.seal()
    return this
  }

  /** Longest matching prefix effective on the local day (days since 1970-01-01). */
  match(kind: UsageKind, digits: string, day: number): DeckRate | null {
    if (kind === 'info') return null
    // A leading "+" is skipped without copying the string.
    return this.tries[kind].lookup(digits, day, digits.charCodeAt(0) === 43 ? 1 : 0)
  }

  get nodes() {
    return this.tries.voice.size + this.tries.data.size + this.tries.sms.size
  }
}
