import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import { audit } from '#lib/audit'
import { CATEGORY_LABELS } from '#lib/labels'
import { AccountingError } from '#accounting/errors'

/**
 * Which account (nominal) code each charge category is posted to, and which tax code each VAT rate
 * is, in each accounts package. Kept as one JSON value in the `settings` table; a fresh install
 * gets UK defaults (Sage-style 4000 sales codes, Xero's and QuickBooks' UK VAT names) so an export
 * works at once and the accountant adjusts them under Accounts → Codes.
 */

export interface TaxCodes {
  rateBp: number
  xero: string
  sage: string
  quickbooks: string
}

export interface AccountingSettings {
  /** Category code (labels.ts) → account / nominal code. */
  accounts: Record<string, string>
  taxes: TaxCodes[]
  /** Sage nominal code of the bank account receipts (SA) are posted to. */
  sageBankNominal: string
}

const USAGE = [
  'national',
  'local',
  'mobile',
  'international',
  'premium',
  'non_geographic',
  'freephone',
  'roaming',
  'voice',
  'sms',
  'mms',
  'data',
]

/** Every category people can map: the catalogue of labels.ts, in its order. */
export const ACCOUNT_CATEGORIES = Object.keys(CATEGORY_LABELS)

function defaultAccount(category: string) {
  if (category === 'line_rental') return '4010'
  if (USAGE.includes(category)) return '4020'
  if (category === 'licence') return '4030'
  if (category === 'mi_addon') return '4040'
  if (category === 'support') return '4050'
  if (category === 'hardware') return '4060'
  return '4000'
}

export const ACCOUNTING_DEFAULTS: AccountingSettings = {
  accounts: Object.fromEntries(ACCOUNT_CATEGORIES.map((c) => [c, defaultAccount(c)])),
  taxes: [
    { rateBp: 2000, xero: '20% (VAT on Income)', sage: 'T1', quickbooks: '20.0% S' },
    { rateBp: 500, xero: '5% (VAT on Income)', sage: 'T5', quickbooks: '5.0% R' },
    { rateBp: 0, xero: 'Zero Rated Income', sage: 'T0', quickbooks: '0.0% Z' },
  ],
  sageBankNominal: '1200',
}

const KEY = 'accounting_codes'

export async function getAccountingSettings(
  client: QueryClientContract = db.connection()
): Promise<AccountingSettings> {
  const row = await client.from('settings').where('key', KEY).select('value').first()
  let stored: Partial<AccountingSettings> = {}
  try {
    stored = row?.value ? JSON.parse(row.value) : {}
  } catch {
    stored = {}
  }
  return {
    accounts: { ...ACCOUNTING_DEFAULTS.accounts, ...(stored.accounts ?? {}) },
    taxes:
      Array.isArray(stored.taxes) && stored.taxes.length ? stored.taxes : ACCOUNTING_DEFAULTS.taxes,
    sageBankNominal: stored.sageBankNominal || ACCOUNTING_DEFAULTS.sageBankNominal,
  }
}

const ACCOUNT_CODE = /^[A-Za-z0-9]{1,10}$/
const SAGE_TAX = /^T\d{1,2}$/

/** Checks a whole settings value; the first problem is thrown with the field it belongs to. */
export function checkAccountingSettings(input: AccountingSettings): AccountingSettings {
  const accounts: Record<string, string> = {}
  for (const category of ACCOUNT_CATEGORIES) {
    const code = String(input.accounts?.[category] ?? '').trim()
    if (!ACCOUNT_CODE.test(code))
      throw new AccountingError(
        `${CATEGORY_LABELS[category]}: an account code is 1 to 10 letters or digits`,
        `accounts.${category}`
      )
    accounts[category] = code
  }
  const seen = new Set<number>()
  const taxes = input.taxes.map((t, i) => {
    const field = `taxes.${i}`
    if (!Number.isSafeInteger(t.rateBp) || t.rateBp < 0 || t.rateBp > 10000)
      throw new AccountingError('A VAT rate is between 0% and 100%', `${field}.rate`)
    if (seen.has(t.rateBp))
      throw new AccountingError(`The VAT rate ${t.rateBp / 100}% is listed twice`, `${field}.rate`)
    seen.add(t.rateBp)
    const xero = String(t.xero ?? '').trim()
    const sage = String(t.sage ?? '')
      .trim()
      .toUpperCase()
    const quickbooks = String(t.quickbooks ?? '').trim()
    if (!xero || xero.length > 50)
      throw new AccountingError(
        'Give the Xero tax rate name (up to 50 characters)',
        `${field}.xero`
      )
    if (!SAGE_TAX.test(sage))
      throw new AccountingError(
        'A Sage tax code is T followed by a number (T0, T1, T9…)',
        `${field}.sage`
      )
    if (!quickbooks || quickbooks.length > 50)
      throw new AccountingError(
        'Give the QuickBooks tax code (up to 50 characters)',
        `${field}.quickbooks`
      )
    return { rateBp: t.rateBp, xero, sage, quickbooks }
  })
  if (!taxes.length) throw new AccountingError('Give the codes of at least one VAT rate', 'taxes')
  const sageBankNominal = String(input.sageBankNominal ?? '').trim()
  if (!/^\d{1,8}$/.test(sageBankNominal))
    throw new AccountingError('The Sage bank nominal code is up to 8 digits', 'sageBankNominal')
  return { accounts, taxes: taxes.sort((a, b) => b.rateBp - a.rateBp), sageBankNominal }
}

async function writeSettings(value: AccountingSettings, trx: TransactionClientContract) {
  await trx
    .knexQuery()
    .table('settings')
    .insert({ key: KEY, value: JSON.stringify(value) })
    .onConflict('key')
    .merge()
}

/** A person changes the codes: checked whole, one transaction with its audit entry. */
export async function saveAccountingSettings(input: AccountingSettings, userId?: number | null) {
  const after = checkAccountingSettings(input)
  return db.transaction(async (trx) => {
    const before = await getAccountingSettings(trx)
    await writeSettings(after, trx)
    await audit(
      {
        userId,
        action: 'accounting.settings',
        subjectType: 'settings',
        changes: { before, after },
      },
      trx
    )
    return after
  })
}
