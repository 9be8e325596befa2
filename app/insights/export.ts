import ExcelJS from 'exceljs'
import type { HttpContext } from '@adonisjs/core/http'
import { sendDownload } from '#lib/downloads'
import { formatScaled } from '#lib/money'
import { csvCell } from '#lib/csv'

/** A table as exported: money columns hold minor units and come out as decimals (12.34). */
export type ExportColumn = { key: string; label: string; type?: 'text' | 'money' | 'int' | 'pct' }
export type ExportTable = { name: string; columns: ExportColumn[]; rows: Record<string, any>[] }

export type ExportFormat = 'csv' | 'xlsx'

export function exportFormat(value: unknown): ExportFormat | null {
  return value === 'csv' || value === 'xlsx' ? value : null
}

function cellText(value: unknown, type: ExportColumn['type']): string {
  if (value === null || value === undefined) return ''
  if (type === 'money') return formatScaled(Number(value), 2)
  return String(value)
}

const csvEscape = csvCell

export function toCsv(table: ExportTable): string {
  const lines = [table.columns.map((c) => csvEscape(c.label)).join(',')]
  for (const row of table.rows) {
    lines.push(table.columns.map((c) => csvEscape(cellText(row[c.key], c.type))).join(','))
  }
  return lines.join('\r\n') + '\r\n'
}

export async function toXlsx(tables: ExportTable[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'Tollgate'
  const used = new Set<string>()
  for (const table of tables) {
    let name = table.name.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'Sheet'
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${table.name.slice(0, 28)} ${i}`
    used.add(name.toLowerCase())
    const sheet = workbook.addWorksheet(name)
    sheet.columns = table.columns.map((c) => ({
      header: c.label,
      key: c.key,
      width: Math.max(10, Math.min(40, c.label.length + 4)),
      style:
        c.type === 'money' ? { numFmt: '#,##0.00' } : c.type === 'pct' ? { numFmt: '0.0' } : {},
    }))
    sheet.getRow(1).font = { bold: true }
    for (const row of table.rows) {
      const values: Record<string, unknown> = {}
      for (const c of table.columns) {
        const v = row[c.key]
        if (v === null || v === undefined) values[c.key] = null
        // Money goes in as a number of pounds with two decimals, exactly as the text form reads.
        else if (c.type === 'money') values[c.key] = Number(formatScaled(Number(v), 2))
        else if (c.type === 'int' || c.type === 'pct') values[c.key] = Number(v)
        else values[c.key] = String(v)
      }
      sheet.addRow(values)
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

/** Sends the tables as CSV (the first table) or XLSX (one sheet per table). */
export async function sendExport(
  response: HttpContext['response'],
  format: ExportFormat,
  baseName: string,
  tables: ExportTable[]
) {
  if (format === 'csv')
    return sendDownload(response, {
      filename: `${baseName}.csv`,
      contentType: 'text/csv; charset=utf-8',
      body: toCsv(tables[0]),
    })
  const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
  return sendDownload(response, {
    filename: `${baseName}.xlsx`,
    contentType: xlsx,
    body: await toXlsx(tables),
  })
}
