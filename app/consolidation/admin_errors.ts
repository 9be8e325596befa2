/**
 * A change to customers, people or services that breaks a rule of the data (not a malformed
 * field, which the validators catch): the UI flashes the message, the API answers 422 naming
 * the field. `existingId` points at the row that already holds what was asked for.
 */
export class ConsolidationError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly existingId: number | null = null
  ) {
    super(message)
  }
}

/** Who makes a change: the audit entry's user. */
export type Actor = { userId: number }
