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

/** Puts a PaymentError on the session: the flash banner, and the field's message beside its input. */
export function flashPaymentError(
  session: {
    flash(key: string, value: string): void
    flashErrors(errors: Record<string, string>): void
  },
  error: PaymentError
) {
  session.flash('error', error.message)
  if (error.field) session.flashErrors({ [error.field]: error.message })
}
