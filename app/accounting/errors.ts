/** A refused accounts export or settings change, with the form field (or invoice) it is about. */
export class AccountingError extends Error {
  constructor(
    message: string,
    public field: string | null = null
  ) {
    super(message)
    this.name = 'AccountingError'
  }
}
