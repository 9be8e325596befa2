import db from '@adonisjs/lucid/services/db'
import { writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'

let seq = 0
export const sqlTime = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z?$|Z$/, '')
const stamp = () => sqlTime(new Date().toISOString())

export async function makeTariff(name: string, markupBp = 0) {
  const [id] = await db.table('tariffs').insert({
    name,
    currency: 'GBP',
    default_markup_bp: markupBp,
    created_at: stamp(),
    updated_at: stamp(),
  })
  return Number(id ?? (await db.from('tariffs').where('name', name).first()).id)
}

export async function addRate(
  tariffId: number,
  r: {
    prefix: string
    category: string
    destination?: string
    micros: number | [number, number, number]
    connection?: number
    minimum?: number
    increments?: [number, number]
    effectiveFrom?: string
  }
) {
  const [peak, offpeak, weekend] = Array.isArray(r.micros)
    ? r.micros
    : [r.micros, r.micros, r.micros]
  await db.table('rates').insert({
    tariff_id: tariffId,
    prefix: r.prefix,
    destination: r.destination ?? `Dest ${r.prefix || r.category}`,
    category: r.category,
    peak_micros: peak,
    offpeak_micros: offpeak,
    weekend_micros: weekend,
    connection_micros: r.connection ?? 0,
    minimum_micros: r.minimum ?? 0,
    initial_s: r.increments?.[0] ?? 60,
    subsequent_s: r.increments?.[1] ?? 60,
    effective_from: r.effectiveFrom ?? '2026-01-01',
    created_at: stamp(),
    updated_at: stamp(),
  })
}

export async function putOnTariff(
  customerId: number,
  tariffId: number,
  startsOn = '2026-01-01',
  endsOn: string | null = null
) {
  await db.table('customer_tariffs').insert({
    customer_id: customerId,
    tariff_id: tariffId,
    starts_on: startsOn,
    ends_on: endsOn,
    created_at: stamp(),
    updated_at: stamp(),
  })
}

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

/**
 * Inertia answers 409 when the client's asset version differs: compute it the way
 * @adonisjs/inertia does (md5 of the Vite manifest when one is built, else "1").
 */
export { inertiaHeaders } from '#tests/helpers/inertia'
