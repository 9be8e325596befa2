import type { DeckRate, UsageKind } from '#rating/types'
import { dayNumber } from '#rating/time_band'
import { PackedTexts } from '#rating/packed_texts'
import { grown } from '#rating/typed_arrays'

/** One of several effective dates of a prefix (most prefixes have one and need none of these). */
interface Version {
  effDay: number
  rate: number
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

const POPCOUNT10 = new Uint8Array(1024)
for (let i = 1; i < 1024; i++) POPCOUNT10[i] = POPCOUNT10[i >> 1] + (i & 1)

/** The first `length` entries of a typed array: the array itself when it is that long already (a deck sized from its row count). */
function fitted<T extends Int32Array | Float64Array>(array: T, length: number): T {
  return array.length === length ? array : (array.slice(0, length) as T)
}

function microsFit(rate: DeckRate): boolean {
  return (
    (rate.peakMicros | 0) === rate.peakMicros &&
    (rate.offpeakMicros | 0) === rate.offpeakMicros &&
    (rate.weekendMicros | 0) === rate.weekendMicros &&
    (rate.connectionMicros | 0) === rate.connectionMicros &&
    (rate.minimumMicros | 0) === rate.minimumMicros
  )
}

/**
 * A deck's rate rows in columns, one index per row. A 200k-row deck held as objects took about
 * 55 MB of heap (and twice that while it was built); in columns it takes about 9 MB, and a
 * match makes the one DeckRate the engine reads, which dies young.
 */
class RateColumns {
  count = 0
  /** 32-bit while every value fits (ids under 2^31, prices under 2,147 a minute), else 64-bit. */
  private ids: Int32Array | Float64Array
  /** peak, offpeak, weekend, connection, minimum (micros) per row. */
  private micros: Int32Array | Float64Array
  /** initial, subsequent (seconds) per row. */
  private seconds: Int32Array
  /** destination, category, effective-from per row, as indexes into `texts`. */
  private labels: Int32Array
  private texts = new PackedTexts()

  constructor(capacity: number) {
    this.ids = new Int32Array(capacity)
    this.micros = new Int32Array(capacity * 5)
    this.seconds = new Int32Array(capacity * 2)
    this.labels = new Int32Array(capacity * 3)
  }

  push(rate: DeckRate): number {
    const i = this.count++
    this.ids = grown(this.ids, i + 1)
    this.micros = grown(this.micros, (i + 1) * 5)
    this.seconds = grown(this.seconds, (i + 1) * 2)
    this.labels = grown(this.labels, (i + 1) * 3)
    if (this.ids instanceof Int32Array && (rate.id | 0) !== rate.id)
      this.ids = Float64Array.from(this.ids)
    if (this.micros instanceof Int32Array && !microsFit(rate))
      this.micros = Float64Array.from(this.micros)
    this.ids[i] = rate.id
    this.micros[i * 5] = rate.peakMicros
    this.micros[i * 5 + 1] = rate.offpeakMicros
    this.micros[i * 5 + 2] = rate.weekendMicros
    this.micros[i * 5 + 3] = rate.connectionMicros
    this.micros[i * 5 + 4] = rate.minimumMicros
    this.seconds[i * 2] = rate.initialS
    this.seconds[i * 2 + 1] = rate.subsequentS
    this.labels[i * 3] = this.texts.add(rate.destination)
    this.labels[i * 3 + 1] = this.texts.add(rate.category)
    this.labels[i * 3 + 2] = this.texts.add(rate.effectiveFrom)
    return i
  }

  at(i: number, prefix: string): DeckRate {
    return {
      id: this.ids[i],
      prefix,
      destination: this.texts.get(this.labels[i * 3]),
      category: this.texts.get(this.labels[i * 3 + 1]),
      peakMicros: this.micros[i * 5],
      offpeakMicros: this.micros[i * 5 + 1],
      weekendMicros: this.micros[i * 5 + 2],
      connectionMicros: this.micros[i * 5 + 3],
      minimumMicros: this.micros[i * 5 + 4],
      initialS: this.seconds[i * 2],
      subsequentS: this.seconds[i * 2 + 1],
      effectiveFrom: this.texts.get(this.labels[i * 3 + 2]),
    }
  }

  /** Gives back the spare capacity and the intern table (a sealed deck takes no more rows). */
  trim() {
    const n = this.count
    this.ids = fitted(this.ids, n)
    this.micros = fitted(this.micros, n * 5)
    this.seconds = fitted(this.seconds, n * 2)
    this.labels = fitted(this.labels, n * 3)
    this.texts.seal()
  }
}

/**
 * A digit trie over one kind of rate (voice, data or sms), mapping a prefix to its rate rows
 * (by index into RateColumns). While it is built, the first DENSE_NODES nodes (made first, so
 * mostly the busy top levels) find a child in a 10-way table and the others in a list of their
 * children sorted by digit (first child, next sibling, digit: 9 bytes a node where the 10-way
 * table takes 40; for a 200k-prefix deck all-10-way took about 18 MB while it was built, and
 * all-lists took twice as long to build). It is then compiled (lazily, on the first
 * lookup after a change) into a compact breadth-first layout: three 32-bit words per node —
 * the index of its first child, (slot << 10 | bitmap of the digits that have a child), and the
 * earliest effective day of its rates. A 200k-prefix deck then takes a few MB, and a lookup
 * touches one small record per digit.
 */
const DENSE_NODES = 1 << 16

class DigitTrie {
  /** Per node under DENSE_NODES: its child for each digit (0: none; the root is no one's child). */
  private dense: Int32Array
  /** Per node from DENSE_NODES on: its first child, its next sibling; per node: its digit. */
  private firstChild: Int32Array
  private nextSibling: Int32Array
  private digitOf: Uint8Array
  private nodes = 1
  /** Per node: its slot (1-based), 0 when the node has no rate of its own. */
  private listOf: Int32Array
  private slots = 0
  /** Per slot: the row of its only version, -1 when it has several (then in `versions`). */
  private slotRate = new Int32Array(1024)
  /** Per slot: the earliest effective day of its versions. */
  private slotDay = new Int32Array(1024)
  /** Slots with more than one effective date: their versions, latest first. */
  private versions = new Map<number, Version[]>()
  private packed: Int32Array | null = null
  private sealed = false
  /** Where the prefix of the last lookup's match ends in the looked-up digits. */
  matchedEnd = 0

  constructor(capacity = 1024) {
    this.dense = new Int32Array(Math.min(capacity, DENSE_NODES) * 10)
    this.firstChild = new Int32Array(capacity)
    this.nextSibling = new Int32Array(capacity)
    this.digitOf = new Uint8Array(capacity)
    this.listOf = new Int32Array(capacity)
  }

  insert(prefix: string, effDay: number, rate: number) {
    if (this.sealed) throw new Error('a sealed rate deck cannot take more rates')
    this.packed = null
    const node = this.nodeOf(prefix)
    const slot = this.listOf[node]
    if (slot === 0) this.addSlot(node, effDay, rate)
    else this.addVersion(slot, effDay, rate)
  }

  /** The node of `prefix`, made with its path when missing. */
  private nodeOf(prefix: string): number {
    let node = 0
    for (let i = 0; i < prefix.length; i++) {
      const digit = prefix.charCodeAt(i) - 48
      if (digit < 0 || digit > 9) throw new SyntaxError(`prefix "${prefix}" is not digits`)
      node = this.childOf(node, digit)
    }
    return node
  }

  /** The child of `node` for `digit`, made (in digit order among its siblings) when missing. */
  private childOf(node: number, digit: number): number {
    if (node < DENSE_NODES) {
      this.dense = grown(this.dense, node * 10 + 10)
      const child = this.dense[node * 10 + digit]
      if (child !== 0) return child
      const made = this.made(digit)
      this.dense[node * 10 + digit] = made
      return made
    }
    let before = 0
    let child = this.firstChild[node]
    while (child !== 0 && this.digitOf[child] < digit) {
      before = child
      child = this.nextSibling[child]
    }
    if (child !== 0 && this.digitOf[child] === digit) return child
    const made = this.made(digit)
    this.nextSibling[made] = child
    if (before === 0) this.firstChild[node] = made
    else this.nextSibling[before] = made
    return made
  }

  private made(digit: number): number {
    const node = this.nodes++
    this.firstChild = grown(this.firstChild, node + 1)
    this.nextSibling = grown(this.nextSibling, node + 1)
    this.digitOf = grown(this.digitOf, node + 1)
    this.listOf = grown(this.listOf, node + 1)
    this.digitOf[node] = digit
    return node
  }

  /** Calls `visit` with each child of `node`, in digit order. */
  private eachChild(node: number, visit: (child: number) => void) {
    if (node < DENSE_NODES) {
      // A node made after the table last grew has no children yet.
      if (node * 10 >= this.dense.length) return
      for (let d = 0; d < 10; d++) {
        const child = this.dense[node * 10 + d]
        if (child !== 0) visit(child)
      }
    } else {
      for (let child = this.firstChild[node]; child !== 0; child = this.nextSibling[child])
        visit(child)
    }
  }

  private addSlot(node: number, effDay: number, rate: number) {
    const slot = ++this.slots
    this.listOf[node] = slot
    this.slotRate = grown(this.slotRate, slot + 1)
    this.slotDay = grown(this.slotDay, slot + 1)
    this.slotRate[slot] = rate
    this.slotDay[slot] = effDay
  }

  /** A second (or later) effective date of a prefix; the same date replaces the earlier row. */
  private addVersion(slot: number, effDay: number, rate: number) {
    let list = this.versions.get(slot)
    if (!list) {
      if (this.slotDay[slot] === effDay) {
        this.slotRate[slot] = rate
        return
      }
      list = [{ effDay: this.slotDay[slot], rate: this.slotRate[slot] }]
      this.versions.set(slot, list)
      this.slotRate[slot] = -1
    }
    const same = list.findIndex((v) => v.effDay === effDay)
    if (same >= 0) list[same] = { effDay, rate }
    else {
      list.push({ effDay, rate })
      list.sort((a, b) => b.effDay - a.effDay)
    }
    this.slotDay[slot] = list[list.length - 1].effDay
  }

  /** Breadth-first renumbering into the compact three-word layout. */
  private compile(): Int32Array {
    if (this.slots >= 1 << 21)
      throw new RangeError('a rate deck holds at most 2,097,151 prefixes per kind')
    const packed = new Int32Array(this.nodes * 3)
    const order = new Int32Array(this.nodes) // new index → old node
    order[0] = 0
    let tail = 1
    for (let head = 0; head < tail; head++) {
      const old = order[head]
      let bitmap = 0
      const first = tail
      this.eachChild(old, (child) => {
        bitmap |= 1 << this.digitOf[child]
        order[tail++] = child
      })
      const slot = this.listOf[old]
      packed[head * 3] = first
      packed[head * 3 + 1] = (slot << 10) | bitmap
      // The earliest effective day of the node's versions: a lookup checks it without touching the versions.
      packed[head * 3 + 2] = slot === 0 ? 0x7fffffff : this.slotDay[slot]
    }
    this.packed = packed
    return packed
  }

  /** The row of the longest prefix of `digits` that has a version effective on `day`, or -1. */
  lookup(digits: string, day: number, from = 0): number {
    const packed = this.packed ?? this.compile()
    let info = packed[1]
    let bestSlot = packed[2] <= day ? info >>> 10 : 0
    let bestEnd = from
    let node = 0
    for (let i = from; i < digits.length; i++) {
      const digit = digits.charCodeAt(i) - 48
      if (digit < 0 || digit > 9) break
      const bit = 1 << digit
      if ((info & bit) === 0) break
      node = packed[node * 3] + POPCOUNT10[info & (bit - 1)]
      info = packed[node * 3 + 1]
      if (packed[node * 3 + 2] <= day) {
        bestSlot = info >>> 10
        bestEnd = i + 1
      }
    }
    if (bestSlot === 0) return -1
    this.matchedEnd = bestEnd
    const only = this.slotRate[bestSlot]
    return only >= 0 ? only : this.effective(bestSlot, day)
  }

  private effective(slot: number, day: number): number {
    const list = this.versions.get(slot)!
    for (let i = 0; i < list.length; i++) if (list[i].effDay <= day) return list[i].rate
    return -1
  }

  /** Compiles now and lets go of what only inserting needs (the child tables: ~8 MB for 200k prefixes). */
  seal() {
    if (!this.packed) this.compile()
    this.sealed = true
    this.dense = new Int32Array(0)
    this.firstChild = new Int32Array(0)
    this.nextSibling = new Int32Array(0)
    this.digitOf = new Uint8Array(0)
    this.listOf = new Int32Array(0)
    this.slotRate = this.slotRate.slice(0, this.slots + 1)
    this.slotDay = this.slotDay.slice(0, this.slots + 1)
  }

  get size() {
    return this.nodes
  }
}

/** The in-memory index of a tariff's rate deck (every effective date kept). */
export class RateDeck {
  private columns: RateColumns
  private tries: Record<'voice' | 'data' | 'sms', DigitTrie>
  rows = 0

  /**
   * `expectedRows`: sizes the trie's build table once instead of growing it (a deck's row count is
   * known; a 200k-prefix deck has about 2 nodes a prefix).
   */
  constructor(rates: Iterable<DeckRate> = [], expectedRows = 0) {
    this.columns = new RateColumns(Math.max(1024, expectedRows))
    this.tries = {
      voice: new DigitTrie(Math.max(4096, Math.ceil(expectedRows * 2.2))),
      data: new DigitTrie(64),
      sms: new DigitTrie(64),
    }
    for (const rate of rates) this.add(rate)
  }

  add(rate: DeckRate) {
    const kind = kindOfCategory(rate.category)
    if (kind === 'info') throw new RangeError(`category "${rate.category}" cannot carry rates`)
    if (kind === 'voice' && rate.prefix === '') throw new SyntaxError('a voice rate needs a prefix')
    const day = this.dayOf(rate.effectiveFrom)
    // Checked before the row is stored: a prefix that is not digits leaves the deck as it was.
    if (!/^\d*$/.test(rate.prefix)) throw new SyntaxError(`prefix "${rate.prefix}" is not digits`)
    this.tries[kind].insert(rate.prefix, day, this.columns.push(rate))
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
    this.columns.trim()
    return this
  }

  /** Longest matching prefix effective on the local day (days since 1970-01-01). */
  match(kind: UsageKind, digits: string, day: number): DeckRate | null {
    if (kind === 'info') return null
    const trie = this.tries[kind]
    // A leading "+" is skipped without copying the string.
    const from = digits.charCodeAt(0) === 43 ? 1 : 0
    const row = trie.lookup(digits, day, from)
    if (row < 0) return null
    return this.columns.at(row, digits.slice(from, trie.matchedEnd))
  }

  get nodes() {
    return this.tries.voice.size + this.tries.data.size + this.tries.sms.size
  }
}
