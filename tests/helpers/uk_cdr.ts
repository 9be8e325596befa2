import { UK_CDR_COLUMNS } from '#connectors/uk_standard_cdr_parser'

/** One call row of a UK Standard CDR v3.01 file, by column name (the rest empty). */
export function ukCdrRow(
  values: Partial<Record<(typeof UK_CDR_COLUMNS)[number], string>>
): string[] {
  return UK_CDR_COLUMNS.map((c) => values[c] ?? '')
}

const quote = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)

/** A whole file in the published layout: the 42-column header, then the rows, CRLF line ends. */
export function ukCdrFile(rows: string[][], header: readonly string[] = UK_CDR_COLUMNS): string {
  return [header, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n'
}

/** A typical outbound call of customer `account` from `cli` to `dialled`. */
export function outbound(
  account: string,
  recordId: string,
  over: Partial<Record<(typeof UK_CDR_COLUMNS)[number], string>> = {}
) {
  return ukCdrRow({
    'Call Type': 'V',
    'Call Cause': '0',
    'Customer Identifier': account,
    'Telephone Number Dialled': '+442079460018',
    'Call Date': '03/07/2026',
    'Call Time': '09:15:00',
    'Duration': '125',
    'Bytes Transmitted': '0',
    'Bytes Received': '0',
    'Description': 'London',
    'Chargecode': 'UKGEO',
    'Time Band': 'Peak',
    'Salesprice': '0.0125',
    'Salesprice (pre-bundle)': '0.0125',
    'Record ID': recordId,
    'Currency': 'GBP',
    'Presentation Number': '+441632960001',
    ...over,
  })
}
