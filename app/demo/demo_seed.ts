import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Customer from '#models/customer'
import Department from '#models/department'
import Employee from '#models/employee'
import Service from '#models/service'
import Assignment from '#models/assignment'
import RecurringCharge from '#models/recurring_charge'
import M365Activity from '#models/m365_activity'
import MappingProfile from '#models/mapping_profile'
import User from '#models/user'
import { parseDecimal } from '#lib/money'
import {
  DEMO_CUSTOMERS,
  DEMO_LICENCES,
  FIRST_NAMES,
  LAST_NAMES,
  LINE_RENTAL,
} from '#demo/demo_catalogue'
import type { Random } from '#lib/seeded_random'

export const DEMO_ADMIN = { email: 'admin@tollgate.local', password: 'tollgate-demo' }
export const DEMO_PROFILE = 'demo-carrier'

export interface DemoPerson {
  employeeId: number
  name: string
  mobile: string | null
  extension: string
  upn: string
}

export interface DemoCustomer {
  customer: Customer
  people: DemoPerson[]
  /** Mobile numbers on the carrier bill that nobody has been given: they land in the unallocated queue. */
  strayMobiles: string[]
}

/** The carrier bill layout the demo's mobile files use, as a mapping profile. */
export const DEMO_PROFILE_CONFIG = {
  hasHeader: true,
  dateFormat: 'dd/MM/yyyy HH:mm:ss',
  timeZone: 'Europe/London',
  durationFormat: 'hh:mm:ss',
  volumeUnit: 'KB',
  categoryMap: {
    'call': 'voice',
    'data': 'data',
    'text': 'sms',
    'roaming data': 'roaming',
    'roaming call': 'roaming',
  },
  columns: {
    number: 'Mobile Number',
    date: 'Date',
    time: 'Time',
    destination: 'Called Number',
    duration: 'Duration',
    volume: 'Data (KB)',
    quantity: 'Items',
    description: 'Description',
    cost: 'Cost (GBP)',
    category: 'Type',
    reference: 'Ref',
  },
}

const e4 = (decimal: string) => parseDecimal(decimal, 4)

/**
 * Writes the demo's customers, departments, ~200 employees, their numbers,
 * extensions and Microsoft 365 users with effective-dated assignments, line
 * rentals and licences, licence activity, and the carrier mapping profile.
 * One mobile moves from one person to another in the middle of the last month.
 */
export async function seedDemo(
  random: Random,
  firstMonth: DateTime,
  lastMonth: DateTime
): Promise<DemoCustomer[]> {
  await User.updateOrCreate(
    { email: DEMO_ADMIN.email },
    { password: DEMO_ADMIN.password, role: 'admin', fullName: 'Demo Admin', customerId: null }
  )
  await MappingProfile.updateOrCreate({ name: DEMO_PROFILE }, { config: DEMO_PROFILE_CONFIG })

  const seeding: Seeding = { random, from: firstMonth.startOf('month'), lastMonth, mobiles: 0 }
  const result: DemoCustomer[] = []
  for (const [index, spec] of DEMO_CUSTOMERS.entries()) {
    const existing = await Customer.findBy('account_number', spec.accountNumber)
    if (existing) {
      throw new Error(
        `The demo customer ${spec.accountNumber} exists already: run the demo on a fresh database (node ace migration:fresh)`
      )
    }
    result.push(await db.transaction((trx) => seedCustomer(trx, seeding, spec, index)))
  }
  await handOverMobile(result[0], lastMonth)
  // Licences and line rental count in the insights' monthly figures.
  const { refreshRecurringRollups } = await import('#consolidation/rollups')
  for (const c of result) await refreshRecurringRollups(c.customer.id)
  return result
}

/** What every step of one seeding shares; `mobiles` numbers the mobiles across customers. */
interface Seeding {
  random: Random
  from: DateTime
  lastMonth: DateTime
  mobiles: number
}

type CustomerSpec = (typeof DEMO_CUSTOMERS)[number]

async function seedCustomer(
  trx: TransactionClientContract,
  seeding: Seeding,
  spec: CustomerSpec,
  index: number
): Promise<DemoCustomer> {
  const { random } = seeding
  const customer = await Customer.create(
    {
      accountNumber: spec.accountNumber,
      name: spec.name,
      billingEmail: `accounts@${spec.domain}`,
      address: `${index + 1} ${random.pick(['Mill Lane', 'Station Road', 'Church Street', 'Victoria Road'])}\n${random.pick(['Leeds', 'Bristol', 'Nottingham', 'Cardiff'])}\n${random.pick(['LS1', 'BS2', 'NG1', 'CF10'])} ${random.int(1, 9)}AB`,
      vatNumber: spec.vatNumber,
      taxRateBp: 2000,
      currency: 'GBP',
      timeZone: 'Europe/London',
      paymentTermsDays: 30,
      billDay: 1,
      recurringBilling: 'advance',
      itemiseCalls: spec.itemiseCalls,
      miAddon: false,
    },
    { client: trx }
  )
  const departments = await Department.createMany(
    spec.departments.map((name, i) => ({
      customerId: customer.id,
      name,
      costCentre: `CC${100 + i * 10}`,
    })),
    { client: trx }
  )
  const people: DemoPerson[] = []
  const usedEmails = new Set<string>()
  for (let i = 0; i < spec.employees; i++) {
    const department = departments[i % departments.length]
    people.push(await seedPerson(trx, seeding, { spec, customer, department, i, usedEmails }))
  }
  const strayMobiles: string[] = []
  for (let s = 0; s < 3; s++) strayMobiles.push(`+447700${String(950000 + index * 10 + s)}`)
  return { customer, people, strayMobiles }
}

/** One employee with a desk extension, a Microsoft 365 user and (mostly) a mobile, all assigned. */
async function seedPerson(
  trx: TransactionClientContract,
  seeding: Seeding,
  at: {
    spec: CustomerSpec
    customer: Customer
    department: Department
    i: number
    usedEmails: Set<string>
  }
): Promise<DemoPerson> {
  const { random } = seeding
  const { spec, customer, i, usedEmails } = at
  const first = random.pick(FIRST_NAMES)
  const last = random.pick(LAST_NAMES)
  let local = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '')
  while (usedEmails.has(local)) local += random.int(1, 9)
  usedEmails.add(local)
  const upn = `${local}@${spec.domain}`
  const employee = await Employee.create(
    {
      customerId: customer.id,
      departmentId: at.department.id,
      name: `${first} ${last}`,
      email: upn,
      employeeNumber: `${spec.accountNumber.slice(0, 2)}${String(i + 1).padStart(4, '0')}`,
      active: true,
    },
    { client: trx }
  )
  const hasMobile = random.chance(0.8)
  const mobile = hasMobile ? `+447700${String(900000 + seeding.mobiles++).padStart(6, '0')}` : null
  const extension = String(2000 + i)

  const services: { kind: Service['kind']; identifier: string; label: string }[] = [
    { kind: 'extension', identifier: extension, label: `Desk phone ${extension}` },
    { kind: 'm365_user', identifier: upn, label: employee.name },
  ]
  if (mobile)
    services.push({ kind: 'mobile', identifier: mobile, label: `Mobile of ${employee.name}` })
  for (const s of services) {
    const service = await Service.create({ customerId: customer.id, ...s }, { client: trx })
    await Assignment.create(
      { serviceId: service.id, employeeId: employee.id, startsAt: seeding.from, endsAt: null },
      { client: trx }
    )
    if (s.kind === 'mobile') await seedLineRental(trx, seeding, employee, service)
    if (s.kind === 'm365_user') await seedLicence(trx, seeding, employee, service, upn)
  }
  return { employeeId: employee.id, name: employee.name, mobile, extension, upn }
}

function seedLineRental(
  trx: TransactionClientContract,
  seeding: Seeding,
  employee: Employee,
  service: Service
) {
  return RecurringCharge.create(
    {
      customerId: employee.customerId,
      employeeId: employee.id,
      serviceId: service.id,
      description: LINE_RENTAL.description,
      category: 'line_rental',
      quantity: 1,
      unitPriceE4: e4(LINE_RENTAL.price),
      unitCostE4: e4(LINE_RENTAL.cost),
      startsOn: seeding.from,
      endsOn: null,
      origin: 'manual',
      externalRef: null,
    },
    { client: trx }
  )
}

/** A licence of the demo mix, and the user's sign-in activity (some idle: waste to find). */
async function seedLicence(
  trx: TransactionClientContract,
  seeding: Seeding,
  employee: Employee,
  service: Service,
  upn: string
) {
  const { random, lastMonth } = seeding
  const roll = random.next()
  const licence =
    roll < DEMO_LICENCES[0].share
      ? DEMO_LICENCES[0]
      : roll < DEMO_LICENCES[0].share + DEMO_LICENCES[1].share
        ? DEMO_LICENCES[1]
        : DEMO_LICENCES[2]
  await RecurringCharge.create(
    {
      customerId: employee.customerId,
      employeeId: employee.id,
      serviceId: service.id,
      description: licence.name,
      category: 'licence',
      quantity: 1,
      unitPriceE4: e4(licence.price),
      unitCostE4: e4(licence.cost),
      startsOn: seeding.from,
      endsOn: null,
      origin: 'm365',
      externalRef: `${licence.sku}:${upn}`,
    },
    { client: trx }
  )
  // About one licence in twelve belongs to someone who has not signed in for weeks: waste to find.
  const idle = random.chance(0.08)
  const lastSeen = idle
    ? lastMonth.endOf('month').minus({ days: random.int(35, 90) })
    : lastMonth.endOf('month').minus({ days: random.int(0, 5) })
  await M365Activity.create(
    {
      customerId: employee.customerId,
      upn,
      concealed: false,
      reportRefreshDate: lastMonth.endOf('month').startOf('day'),
      lastActivityDate: lastSeen.startOf('day'),
      activeProducts: idle ? null : 'Exchange,OneDrive,Teams',
      mailboxBytes: random.int(200, 45_000) * 1024 * 1024,
      onedriveBytes: random.int(0, 80_000) * 1024 * 1024,
    },
    { client: trx }
  )
}

/** A handset changes hands on the 16th of the last month: each person pays for their own days. */
async function handOverMobile(acme: DemoCustomer, lastMonth: DateTime) {
  const [giver, taker] = acme.people.filter((p) => p.mobile).slice(0, 2)
  const service = await Service.query()
    .where('customer_id', acme.customer.id)
    .where('identifier', giver.mobile!)
    .firstOrFail()
  const handover = lastMonth
    .set({ day: 16 })
    .setZone('Europe/London', { keepLocalTime: true })
    .startOf('day')
    .toUTC()
  await Assignment.query()
    .where('service_id', service.id)
    .update({ ends_at: handover.toSQL({ includeOffset: false }) })
  await Assignment.create({
    serviceId: service.id,
    employeeId: taker.employeeId,
    startsAt: handover,
    endsAt: null,
  })
}
