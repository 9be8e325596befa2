import db from '@adonisjs/lucid/services/db'
import { writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'

let seq = 0
export const sqlTime = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z?$|Z$/, '')

export async function addUsage(
  customerId: number,
  r: {
    at: string
    destination?: string | null
    durationS?: number
    category?: string
    volumeBytes?: number
    quantity?: number
    costE4?: number | null
    invoiceId?: number | null
    priceE4?: number | null
    serviceKey?: string
    period?: string
  }
): Promise<number> {
  const key = `k${Date.now()}-${seq++}`
  await db.table('usage_records').insert({
    customer_id: customerId,
    source: 'manual:test',
    dedupe_key: key,
    identifier: r.serviceKey ?? '+441179000001',
    occurred_at: sqlTime(r.at),
    period: r.period ?? r.at.slice(0, 7),
    category: r.category ?? 'voice',
    destination: r.destination === undefined ? null : r.destination,
    duration_s: r.durationS ?? 0,
    volume_bytes: r.volumeBytes ?? 0,
    quantity: r.quantity ?? 1,
    cost_e4: r.costE4 ?? null,
    price_e4: r.priceE4 ?? null,
    invoice_id: r.invoiceId ?? null,
  })
  return Number(
    (await db.from('usage_records').where({ source: 'manual:test', dedupe_key: key }).first()).id
  )
}

export const record = (id: number) => db.from('usage_records').where('id', id).first()

export async function writeCsv(name: string, text: string) {
  const dir = app.makePath('tmp', 'rating-tests')
  await mkdir(dir, { recursive: true })
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}
