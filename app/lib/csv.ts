/**
 * One CSV cell of a file people open in a spreadsheet. A cell starting with =, +, -, @, tab or
 * carriage return would be run as a formula (`=cmd|' /C calc'!A0`, `@SUM(…)`), so it gets a
 * leading apostrophe; plain numbers ("-12.50") stay numbers. Quotes, commas and line breaks are
 * quoted as RFC 4180 says. Every CSV export uses this.
 */
export function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value)
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** One CSV line (no line break) of cells. */
export const csvLine = (cells: unknown[]) => cells.map(csvCell).join(',')
