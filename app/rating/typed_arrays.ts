/** A typed array with room for `needed` entries: half as much again, not double (a big deck's columns are MBs each). */
export function grown<T extends Uint8Array | Int32Array | Float64Array>(
  array: T,
  needed: number
): T {
  if (needed <= array.length) return array
  const next = new (array.constructor as new (n: number) => T)(
    Math.max(needed, Math.ceil(array.length * 1.5))
  )
  next.set(array)
  return next
}
