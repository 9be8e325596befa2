/** A file-name glob ("*.csv", "Master*.csv") as a regular expression; empty means every file. */
export function globToRegExp(glob: string | undefined | null): RegExp {
  const g = (glob ?? '').trim() || '*'
  const body = g
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`, 'i')
}
