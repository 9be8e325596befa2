import { humanise, settingLabel, statusLabel } from './labels.js'
import { money, month, percentBp, rate, unitPriceE4, dateTime, date } from './format.js'

/**
 * The audit log's `changes` as sentences a person reads ("Tax rate: 20% → 5%") instead of JSON.
 * A leaf, used by the audit page. Secrets are never shown, even if an entry carries one.
 */

const SECRET = /(password|secret|private_?key|passphrase|token)/i
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/
const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/

/** Customer and document fields whose words differ from their key. */
const FIELD_LABELS: Record<string, string> = {
  miAddon: 'MI add-on',
  taxRate: 'VAT rate',
  vatNumber: 'VAT number',
  itemiseCalls: 'Itemised calls on invoices',
  billDay: 'Billing day',
  paymentTermsDays: 'Payment terms (days)',
  recurringBilling: 'Recurring charges billed',
}

function keyLabel(key: string) {
  const bare = key.replace(/(_?(minor|e4|micros|bp))$/i, '')
  return FIELD_LABELS[bare] ?? (settingLabel(bare) || humanise(key))
}

/** A scalar as words, read by its key's unit suffix (…Minor, …E4, …Micros, …Bp). */
export function valueText(key: string, value: unknown, timeZone = 'Europe/London'): string {
  if (SECRET.test(key)) return '(hidden)'
  if (value === null || value === undefined || value === '') return '(none)'
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (typeof value === 'number') {
    if (/minor$/i.test(key)) return money(value)
    if (/e4$/i.test(key)) return unitPriceE4(value)
    if (/micros$/i.test(key)) return rate(value, '').trim()
    if (/bp$/i.test(key)) return percentBp(value)
    return String(value)
  }
  if (typeof value === 'string') {
    if (key === 'kinds') return statusLabel('flag', value)
    if (ISO_DATE.test(value)) return date(value)
    if (PERIOD.test(value)) return month(value, true)
    if (ISO_TIME.test(value)) return dateTime(value, timeZone)
    return value
  }
  if (Array.isArray(value) && value.length === 0) return '(none)'
  if (Array.isArray(value))
    return value.length <= 5
      ? value.map((v) => valueText(key, v, timeZone)).join(', ')
      : `${value.length} items`
  const entries = Object.entries(value as Record<string, unknown>)
  return entries.map(([k, v]) => `${keyLabel(k)} ${valueText(k, v, timeZone)}`).join(', ')
}

function isChange(v: unknown): v is { from: unknown; to: unknown } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    'from' in v &&
    'to' in v &&
    Object.keys(v).length === 2
  )
}

/** One line per changed field. */
export function describeChanges(
  changes: Record<string, unknown> | null | undefined,
  timeZone = 'Europe/London'
): string[] {
  if (!changes || typeof changes !== 'object') return []
  return Object.entries(changes).map(([key, value]) => {
    if (isChange(value))
      return `${keyLabel(key)}: ${valueText(key, value.from, timeZone)} → ${valueText(key, value.to, timeZone)}`
    return `${keyLabel(key)}: ${valueText(key, value, timeZone)}`
  })
}
