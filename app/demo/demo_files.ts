import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import { DEMO_DECK, DEMO_DESTINATIONS } from '#demo/demo_catalogue'
import { DEMO_PROFILE, type DemoCustomer } from '#demo/demo_seed'
import type { Random } from '#lib/seeded_random'
import { divRoundHalfUp, formatScaled } from '#lib/money'

export interface DemoFile {
  path: string
  accountNumber: string
  format: string
  month: string
}

const csvCell = (value: string | number) => {
  const text = String(value)
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}
const csvLine = (cells: (string | number)[]) => cells.map(csvCell).join(',')

function weightedDestination(random: Random) {
  const total = DEMO_DESTINATIONS.reduce((sum, d) => sum + d.weight, 0)
  let roll = random.next() * total
  for (const d of DEMO_DESTINATIONS) {
    roll -= d.weight
    if (roll < 0) return d.number
  }
  return DEMO_DESTINATIONS[0].number
}

/** A moment in working hours most of the time, sometimes evenings and weekends. */
function callStart(random: Random, month: DateTime) {
  const day = random.int(1, month.daysInMonth!)
  const evening = random.chance(0.15)
  const hour = evening ? random.int(18, 22) : random.int(8, 17)
  return month.set({ day, hour, minute: random.int(0, 59), second: random.int(0, 59) })
}

const hms = (seconds: number) =>
  [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':')

/** The rate deck CSV, in the documented tariffs:import layout. */
export async function writeDeck(folder: string, effectiveFrom: string) {
  await mkdir(folder, { recursive: true })
  const path = join(folder, 'tariff-standard-2026.csv')
  const header =
    'prefix,destination,category,peak,offpeak,weekend,connection,minimum,increments,effective_from'
  const rows = DEMO_DECK.map((r) => csvLine([...r, effectiveFrom]))
  await writeFile(path, [header, ...rows].join('\n') + '\n')
  return path
}

/** An Asterisk Master.csv (no header) of desk-phone calls for one customer and month. */
function asteriskFile(
  random: Random,
  demo: DemoCustomer,
  month: DateTime,
  spikeEmployeeId: number | null
) {
  const lines: string[] = []
  let seq = 0
  for (const person of demo.people) {
    const calls = random.int(6, 24) + (person.employeeId === spikeEmployeeId ? 60 : 0)
    for (let c = 0; c < calls; c++) {
      const start = callStart(random, month)
      const international = person.employeeId === spikeEmployeeId && c % 2 === 0
      const dst = international ? '0061290000000' : weightedDestination(random)
      const roll = random.next()
      const disposition =
        roll < 0.82 ? 'ANSWERED' : roll < 0.92 ? 'NO ANSWER' : roll < 0.98 ? 'BUSY' : 'FAILED'
      const ring = random.int(2, 20)
      const billsec =
        disposition === 'ANSWERED'
          ? international
            ? random.int(600, 2400)
            : random.int(5, 900)
          : 0
      const answer = disposition === 'ANSWERED' ? start.plus({ seconds: ring }) : null
      const end = start.plus({ seconds: ring + billsec })
      const fmt = (d: DateTime | null) => (d ? d.toFormat('yyyy-MM-dd HH:mm:ss') : '')
      const uniqueid = `${Math.floor(start.toSeconds())}.${demo.customer.id}${String(seq++).padStart(5, '0')}`
      lines.push(
        csvLine([
          demo.customer.accountNumber,
          person.extension,
          dst,
          'from-internal',
          `"${person.name}" <${person.extension}>`,
          `PJSIP/${person.extension}-0000${(seq % 9000).toString(16)}`,
          `PJSIP/trunk-0000${(seq % 7000).toString(16)}`,
          'Dial',
          `PJSIP/${dst}@trunk,60`,
          fmt(start),
          fmt(answer),
          fmt(end),
          ring + billsec,
          billsec,
          disposition,
          'DOCUMENTATION',
          '',
          uniqueid,
        ])
      )
    }
  }
  return lines.join('\n') + '\n'
}

const CARRIER_HEADER = csvLine([
  'Ref',
  'Mobile Number',
  'Date',
  'Time',
  'Called Number',
  'Duration',
  'Data (KB)',
  'Items',
  'Type',
  'Description',
  'Cost (GBP)',
])

/** The carrier bill being written: its lines so far and the number of its next reference. */
type CarrierBill = { lines: string[]; refPrefix: string; ref: number }

const ROAMING = 'Data roaming (USA, Zone 3)'
const national = (e164: string) => '0' + e164.slice(3, 7) + ' ' + e164.slice(7)

/** A carrier's mobile bill for one customer and month, in the carrier's own layout. */
function carrierFile(
  random: Random,
  demo: DemoCustomer,
  month: DateTime,
  roamerEmployeeId: number | null
) {
  const bill: CarrierBill = {
    lines: [CARRIER_HEADER],
    refPrefix: `${month.toFormat('yyyyMM')}-${demo.customer.id}-`,
    ref: 0,
  }
  const numbers: { number: string; roamer: boolean }[] = [
    ...demo.people
      .filter((p) => p.mobile)
      .map((p) => ({ number: p.mobile!, roamer: p.employeeId === roamerEmployeeId })),
    ...demo.strayMobiles.map((number) => ({ number, roamer: false })),
  ]
  for (const { number, roamer } of numbers) mobileUsage(random, month, bill, number, roamer)
  return bill.lines.join('\n') + '\n'
}

// The carrier's prices in e4 (ten-thousandths of a pound), so a line's cost is exact integer arithmetic
// rounded half-up to 4 dp once (#lib/money), never a binary float: £0.0004 a second, £0.0000006 a KB
// of data, £0.00045 a KB roaming.
const VOICE_E4_PER_SECOND = 4
const DATA_E4_PER_1000_KB = 6
const ROAMING_E4_PER_10_KB = 45

/** One mobile's month: calls, data sessions, texts, and for the roamer data roaming. */
function mobileUsage(
  random: Random,
  month: DateTime,
  bill: CarrierBill,
  number: string,
  roamer: boolean
) {
  for (let c = random.int(4, 16); c > 0; c--) {
    const seconds = random.int(8, 1200)
    const start = callStart(random, month)
    const called = weightedDestination(random)
    const cost = formatScaled(seconds * VOICE_E4_PER_SECOND, 4)
    carrierLine(bill, number, start, called, seconds, 0, 'Call', 'Voice call', cost)
  }
  for (let d = random.int(3, 10); d > 0; d--) {
    const kb = random.int(500, 350_000)
    const start = callStart(random, month)
    const cost = formatScaled(divRoundHalfUp(kb * DATA_E4_PER_1000_KB, 1000), 4)
    carrierLine(bill, number, start, '', 0, kb, 'Data', 'Mobile data session', cost)
  }
  for (let t = random.int(0, 8); t > 0; t--) {
    const start = callStart(random, month)
    carrierLine(bill, number, start, weightedDestination(random), 0, 0, 'Text', 'SMS', '0.0150')
  }
  if (roamer) {
    for (let r = 0; r < 6; r++) {
      const kb = random.int(50_000, 200_000)
      const start = callStart(random, month)
      const cost = formatScaled(divRoundHalfUp(kb * ROAMING_E4_PER_10_KB, 10), 4)
      carrierLine(bill, number, start, '', 0, kb, 'Roaming Data', ROAMING, cost)
    }
  }
}

/** Adds one line (one item) to the bill under the next reference. */
function carrierLine(
  bill: CarrierBill,
  number: string,
  start: DateTime,
  called: string,
  seconds: number,
  kb: number,
  type: string,
  description: string,
  cost: string
) {
  bill.lines.push(
    csvLine([
      `${bill.refPrefix}${bill.ref++}`,
      national(number),
      start.toFormat('dd/MM/yyyy'),
      start.toFormat('HH:mm:ss'),
      called,
      hms(seconds),
      kb,
      1,
      type,
      description,
      cost,
    ])
  )
}

/** Writes every sample source file of the demo and returns them in import order. */
export async function writeDemoFiles(
  random: Random,
  folder: string,
  customers: DemoCustomer[],
  months: DateTime[]
): Promise<DemoFile[]> {
  await mkdir(folder, { recursive: true })
  const files: DemoFile[] = []
  const last = months[months.length - 1]
  for (const demo of customers) {
    // In the last month one person calls Australia for hours and another roams in the USA: anomalies to find.
    const spike = demo.people[5]?.employeeId ?? null
    const roamer = demo.people.filter((p) => p.mobile)[3]?.employeeId ?? null
    for (const month of months) {
      const isLast = month.hasSame(last, 'month')
      const tag = `${demo.customer.accountNumber}-${month.toFormat('yyyy-MM')}`
      const asterisk = join(folder, `Master-${tag}.csv`)
      await writeFile(asterisk, asteriskFile(random, demo, month, isLast ? spike : null))
      files.push({
        path: asterisk,
        accountNumber: demo.customer.accountNumber,
        format: 'asterisk',
        month: month.toFormat('yyyy-MM'),
      })
      const carrier = join(folder, `carrier-bill-${tag}.csv`)
      await writeFile(carrier, carrierFile(random, demo, month, isLast ? roamer : null))
      files.push({
        path: carrier,
        accountNumber: demo.customer.accountNumber,
        format: `profile:${DEMO_PROFILE}`,
        month: month.toFormat('yyyy-MM'),
      })
    }
  }
  return files
}
