/**
 * Why an e-invoice cannot be produced, in words a billing clerk acts on: `field` names what is
 * missing or wrong (e.g. "buyer.address.country"), `message` says whose and where to fix it.
 */
export class EInvoiceError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly code: 'missing' | 'invalid' | 'not_found' | 'state' = 'missing'
  ) {
    super(message)
    this.name = 'EInvoiceError'
  }
}
