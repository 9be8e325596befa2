import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/**
 * What other capabilities do when billing issues documents, registered at boot (start/payments.ts)
 * so billing depends on none of them:
 *   creditNoteIssued — inside the transaction that issues the note (a failure undoes the note);
 *   runFinalized     — after the finalize transaction committed (a failure is the hook's to record);
 *   creditNoteCommitted — after the note's transaction committed (its PDF is stored then; errors are the hook's).
 */
export type CreditNoteIssuedHook = (
  trx: TransactionClientContract,
  creditNoteId: number,
  userId: number | null | undefined
) => Promise<void>
export type RunFinalizedHook = (runId: number, invoiceIds: number[]) => Promise<void>
export type CreditNoteCommittedHook = (creditNoteId: number) => Promise<void>

export const billingHooks = {
  creditNoteIssued: [] as CreditNoteIssuedHook[],
  runFinalized: [] as RunFinalizedHook[],
  creditNoteCommitted: [] as CreditNoteCommittedHook[],
}
