import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/**
 * The reseller's own details (the supplier on every invoice) and billing
 * switches, kept in the `settings` key/value table. Missing keys fall back to
 * the defaults below so a fresh install can bill at once.
 */
export interface BillingSettings {
  supplier_name: string
  supplier_address: string
  supplier_vat_number: string
  supplier_company_number: string
  supplier_email: string
  supplier_phone: string
  /** Bank / payment details printed on the summary page (multi-line). */
  payment_details: string
  invoice_prefix: string
  credit_note_prefix: string
  /** "true" finalizes scheduled month-end runs without a review step. */
  auto_finalize: string
  /** "true" makes the scheduler email finalized invoices on its own. */
  auto_send: string
}

export const SETTING_DEFAULTS: BillingSettings = {
  supplier_name: 'Reseller Communications Ltd',
  supplier_address: '10 Exchange Street\nManchester\nM2 7EE\nUnited Kingdom',
  supplier_vat_number: 'GB123456789',
  supplier_company_number: '01234567',
  supplier_email: 'billing@reseller.example',
  supplier_phone: '0161 496 0000',
  payment_details:
    'Bank transfer to Reseller Communications Ltd\nSort code 12-34-56 · Account 12345678\nPlease quote the invoice number.',
  invoice_prefix: 'INV-',
  credit_note_prefix: 'CN-',
  auto_finalize: 'false',
  auto_send: 'true',
}

export const SETTING_KEYS = Object.keys(SETTING_DEFAULTS) as (keyof BillingSettings)[]

export async function getSettings(trx?: TransactionClientContract): Promise<BillingSettings> {
  const rows: { key: string; value: string | null }[] = await (trx ?? db)
    .from('settings')
    .whereIn('key', SETTING_KEYS as string[])
    .select('key', 'value')
  const out = { ...SETTING_DEFAULTS }
  for (const row of rows) {
    if (row.value !== null && (SETTING_KEYS as string[]).includes(row.key)) {
      out[row.key as keyof BillingSettings] = row.value
    }
  }
  return out
}

export async function setSettings(
  values: Partial<BillingSettings>,
  trx?: TransactionClientContract
) {
  const rows = Object.entries(values)
    .filter(([key, value]) => (SETTING_KEYS as string[]).includes(key) && value !== undefined)
    .map(([key, value]) => ({ key, value: String(value) }))
  if (!rows.length) return
  await (trx ?? db).knexQuery().table('settings').insert(rows).onConflict('key').merge()
}

export function isOn(value: string | undefined | null) {
  return value === 'true' || value === '1' || value === 'yes'
}
