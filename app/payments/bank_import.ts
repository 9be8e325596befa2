import { createHash } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import BankStatementProfile from '#models/bank_statement_profile'
import BankStatementImport from '#models/bank_statement_import'
import BankStatementLine from '#models/bank_statement_line'
import { audit } from '#lib/audit'
import { isDuplicateKey, sqlTime } from '#lib/db_helpers'
import { invoiceBalances, type InvoiceBalance } from '#payments/balances'
import { recordPaymentIn } from '#payments/payments'
import { parseStatement, referenceTokens, type StatementLineInput } from '#payments/statement_csv'
import { PaymentError } from '#payments/errors'
import type { AllocationInput } from '#payments/allocations'

/**
 * Bank statement import: the file is read whole through its profile (any bad line: nothing is
 * written), then in one transaction every line not seen before is stored (dedupe_key unique: the
 * same statement, or an overlapping one, imported again adds nothing) and matched: a receipt whose
 * reference or description names open invoices and whose amount is exactly what they still owe
 * becomes a payment allocated to them. Anything else waits in the unmatched queue; money going
 * out (negative amounts) is kept as `ignored`.
 */

export interface ImportSummary {
  importId: number
  lines: number
  newLines: number
  duplicates: number
  matched: number
  unmatched: number
  ignored: number
}

export async function findProfile(nameOrId: string | number) {
  const profile =
    typeof nameOrId === 'number'
      ? await BankStatementProfile.find(nameOrId)
      : await BankStatementProfile.findBy('name', nameOrId)
  if (!profile)
    throw new PaymentError(`No bank statement profile "${nameOrId}"`, 'profile', 'not_found')
  return profile
}

/** Which open invoices a line pays: the ones its text names, when the amount settles them exactly. */
export function matchLine(
  line: { amountMinor: number; reference: string; description: string },
  byNumber: Map<string, InvoiceBalance>
): { customerId: number; allocations: AllocationInput[] } | null {
  if (line.amountMinor <= 0) return null
  const named = new Map<number, InvoiceBalance>()
  for (const token of [...referenceTokens(line.reference), ...referenceTokens(line.description)]) {
    const invoice = byNumber.get(token)
    if (invoice && invoice.outstandingMinor > 0) named.set(invoice.id, invoice)
  }
  const invoices = [...named.values()]
  if (!invoices.length || new Set(invoices.map((i) => i.customerId)).size !== 1) return null
  const owed = invoices.reduce((s, i) => s + i.outstandingMinor, 0)
  if (owed !== line.amountMinor) return null
  return {
    customerId: invoices[0].customerId,
    allocations: invoices.map((i) => ({ invoiceId: i.id, amountMinor: i.outstandingMinor })),
  }
}

async function storeLines(
  trx: TransactionClientContract,
  importId: number,
  lines: StatementLineInput[]
) {
  const known = new Set<string>()
  for (let i = 0; i < lines.length; i += 500) {
    const rows = await trx
      .from('bank_statement_lines')
      .whereIn(
        'dedupe_key',
        lines.slice(i, i + 500).map((l) => l.dedupeKey)
      )
      .select('dedupe_key')
    for (const r of rows) known.add(r.dedupe_key)
  }
  const fresh = lines.filter((l) => !known.has(l.dedupeKey))
  const now = sqlTime()
  const stored: { id: number; line: StatementLineInput }[] = []
  for (const line of fresh) {
    const [id] = await trx.table('bank_statement_lines').insert({
      import_id: importId,
      line_number: line.lineNumber,
      booked_on: line.bookedOn,
      amount_minor: line.amountMinor,
      reference: line.reference,
      description: line.description,
      dedupe_key: line.dedupeKey,
      status: line.amountMinor > 0 ? 'unmatched' : 'ignored',
      created_at: now,
      updated_at: now,
    })
    stored.push({ id: Number(id), line })
  }
  return stored
}

async function importIn(
  trx: TransactionClientContract,
  input: { text: string; filename: string; profile: BankStatementProfile; userId?: number | null },
  lines: StatementLineInput[]
): Promise<ImportSummary> {
  const imp = await BankStatementImport.create(
    {
      profileId: input.profile.id,
      filename: input.filename.slice(0, 255),
      sha256: createHash('sha256').update(input.text).digest('hex'),
      lines: lines.length,
      userId: input.userId ?? null,
    },
    { client: trx }
  )
  const stored = await storeLines(trx, imp.id, lines)
  const open = await invoiceBalances({ openOnly: true }, trx)
  const byNumber = new Map(open.map((i) => [i.number.toUpperCase(), i]))
  let matched = 0
  for (const { id, line } of stored) {
    const match = matchLine(line, byNumber)
    if (!match) continue
    const { customerId, allocations } = match
    const payment = await recordPaymentIn(trx, {
      customerId,
      receivedOn: line.bookedOn,
      amountMinor: line.amountMinor,
      method: 'bank_transfer',
      reference: line.reference || line.description,
      source: 'bank_statement',
      allocations,
      userId: input.userId,
    })
    await trx
      .from('bank_statement_lines')
      .where('id', id)
      .update({ status: 'matched', payment_id: payment.id, updated_at: sqlTime() })
    // Later lines of the file see what this one paid.
    for (const a of allocations)
      open.find((i) => i.id === a.invoiceId)!.outstandingMinor -= a.amountMinor
    matched++
  }
  const ignored = stored.filter((s) => s.line.amountMinor <= 0).length
  const summary = {
    lines: lines.length,
    newLines: stored.length,
    duplicates: lines.length - stored.length,
    matched,
    unmatched: stored.length - matched - ignored,
  }
  await trx.from('bank_statement_imports').where('id', imp.id).update({
    new_lines: summary.newLines,
    duplicates: summary.duplicates,
    matched,
    unmatched: summary.unmatched,
    updated_at: sqlTime(),
  })
  await audit(
    {
      userId: input.userId,
      action: 'bank_statement.import',
      subjectType: 'bank_statement_import',
      subjectId: imp.id,
      changes: { filename: input.filename, ...summary },
    },
    trx
  )
  return { importId: imp.id, ...summary, ignored }
}

export async function importStatement(input: {
  text: string
  filename: string
  profile: string | number
  userId?: number | null
}): Promise<ImportSummary> {
  const profile = await findProfile(input.profile)
  const lines = parseStatement(input.text, profile, input.filename)
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((trx) => importIn(trx, { ...input, profile }, lines))
    } catch (error) {
      // The same lines were being stored by a concurrent import: run again, they are now duplicates.
      if (!isDuplicateKey(error) || attempt >= 3) throw error
    }
  }
}

/** A person settles an unmatched line: a payment from the customer, allocated as given (the rest is credit). */
export async function allocateLine(
  lineId: number,
  input: { customerId: number; allocations: AllocationInput[]; userId?: number | null }
) {
  return db.transaction(async (trx) => {
    const line = await BankStatementLine.find(lineId, { client: trx })
    if (!line) throw new PaymentError('Statement line not found', null, 'not_found')
    if (line.status !== 'unmatched')
      throw new PaymentError(`This line is already ${line.status}`, null, 'state')
    const claimed = await trx
      .from('bank_statement_lines')
      .where('id', line.id)
      .where('status', 'unmatched')
      .update({ status: 'allocated', updated_at: sqlTime() })
    if (Number(Array.isArray(claimed) ? claimed[0] : claimed) !== 1)
      throw new PaymentError('Someone else settled this line meanwhile', null, 'state')
    const payment = await recordPaymentIn(trx, {
      customerId: input.customerId,
      receivedOn: line.bookedOn.toISODate()!,
      amountMinor: line.amountMinor,
      method: 'bank_transfer',
      reference: line.reference || line.description,
      source: 'bank_statement',
      allocations: input.allocations,
      userId: input.userId,
    })
    await trx.from('bank_statement_lines').where('id', line.id).update({ payment_id: payment.id })
    return payment
  })
}

/** A line that is not a customer's payment (a refund, a transfer) leaves the queue. */
export async function ignoreLine(lineId: number, userId?: number | null) {
  await db.transaction(async (trx) => {
    const updated = await trx
      .from('bank_statement_lines')
      .where('id', lineId)
      .where('status', 'unmatched')
      .update({ status: 'ignored', updated_at: sqlTime() })
    if (Number(Array.isArray(updated) ? updated[0] : updated) !== 1)
      throw new PaymentError('Only an unmatched line can be ignored', null, 'state')
    await audit(
      {
        userId,
        action: 'bank_statement.ignore_line',
        subjectType: 'bank_statement_line',
        subjectId: lineId,
      },
      trx
    )
  })
}

export interface ProfileInput {
  name: string
  dateColumn: string
  amountColumn: string
  referenceColumn: string
  descriptionColumn?: string | null
  dateFormat: string
  delimiter?: string
}

export async function saveProfile(input: ProfileInput, userId?: number | null, id?: number) {
  return db.transaction(async (trx) => {
    const values = {
      ...input,
      descriptionColumn: input.descriptionColumn || null,
      delimiter: input.delimiter || ',',
    }
    const profile = id
      ? await BankStatementProfile.findOrFail(id, { client: trx })
      : new BankStatementProfile()
    profile.useTransaction(trx)
    profile.merge(values)
    await profile.save()
    await audit(
      {
        userId,
        action: id ? 'bank_statement_profile.update' : 'bank_statement_profile.create',
        subjectType: 'bank_statement_profile',
        subjectId: profile.id,
        changes: values,
      },
      trx
    )
    return profile
  })
}

/** An uploaded statement file: read from its temporary path, then imported. */
export async function importStatementFile(input: {
  path: string
  filename: string
  profileId: number
  userId?: number | null
}) {
  const { readFile } = await import('node:fs/promises')
  return importStatement({
    text: await readFile(input.path, 'utf8'),
    filename: input.filename,
    profile: input.profileId,
    userId: input.userId,
  })
}
