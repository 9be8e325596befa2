/**
 * JSON stored in a TEXT column: SQLite hands back strings and MySQL TEXT does
 * too, so the model parses and serialises explicitly on both drivers.
 */
export const jsonColumn = {
  prepare: (value: unknown) =>
    value === null || value === undefined ? null : JSON.stringify(value),
  consume: (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : (value ?? null)),
}
