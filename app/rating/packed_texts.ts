import { grown } from '#rating/typed_arrays'

/**
 * The texts of a rate deck (destination names, categories, dates) as UTF-8 in one byte array,
 * each decoded once on its first read. A deck whose 200k destinations are all different kept
 * 200k strings (~8 MB of heap, promoted while the deck loaded); here they take ~3 MB outside
 * the heap, and only the destinations records actually reach become strings.
 */
export class PackedTexts {
  private bytes = new Uint8Array(1 << 16)
  private used = 0
  /** Per text: where its bytes start; the end is the next text's start. */
  private starts = new Int32Array(1024)
  private count = 0
  private decoded: (string | undefined)[] = []
  /** Interning stops at INTERNED texts: past that a deck's texts are mostly all different. */
  private index: Map<string, number> | null = new Map()
  private static readonly INTERNED = 50_000
  private static readonly encoder = new TextEncoder()
  private static readonly decoder = new TextDecoder()

  add(value: string): number {
    const seen = this.index?.get(value)
    if (seen !== undefined) return seen
    const at = this.count++
    this.starts = grown(this.starts, at + 2)
    // Three bytes a UTF-16 unit is the most UTF-8 can take.
    this.bytes = grown(this.bytes, this.used + value.length * 3)
    this.starts[at] = this.used
    this.used += PackedTexts.encoder.encodeInto(value, this.bytes.subarray(this.used)).written
    this.starts[at + 1] = this.used
    if (this.index && this.index.size < PackedTexts.INTERNED) this.index.set(value, at)
    return at
  }

  get(at: number): string {
    let text = this.decoded[at]
    if (text === undefined) {
      text = PackedTexts.decoder.decode(this.bytes.subarray(this.starts[at], this.starts[at + 1]))
      this.decoded[at] = text
    }
    return text
  }

  /** Gives back the spare room and the intern table (a sealed deck takes no more texts). */
  seal() {
    this.bytes = this.bytes.slice(0, this.used)
    this.starts = this.starts.slice(0, this.count + 1)
    this.index = null
    // Sized once, so a first read far into the deck does not leave the array sparse.
    this.decoded = Array.from({ length: this.count }, (_, i) => this.decoded[i])
  }
}
