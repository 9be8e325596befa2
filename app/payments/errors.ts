/** A payment rule was broken; `field` names the form field (or CSV column) at fault when there is one. */
export class PaymentError extends Error {
  constructor(
    message: string,
    readonly field: string | null = null,
    readonly kind: 'invalid' | 'not_found' | 'state' = 'invalid'
  ) {
    super(message)
  }
}
