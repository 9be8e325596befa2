/** Chart-only helpers: axis values and the series palette. */

/** Chart axis value in major units (display only). */
export const major = (minor: number) => minor / 100

export const PALETTE = [
  '#0f766e',
  '#2563eb',
  '#d97706',
  '#dc2626',
  '#7c3aed',
  '#059669',
  '#db2777',
  '#64748b',
  '#0891b2',
  '#65a30d',
]
