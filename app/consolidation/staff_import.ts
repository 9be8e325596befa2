import { DateTime } from 'luxon'
import { parse } from 'csv-parse/sync'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Customer from '#models/customer'
import Employee from '#models/employee'
import Department from '#models/department'
import Service, { type ServiceKind } from '#models/service'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { affectedPeriods, localMidnight, sqlDateTime } from '#consolidation/assignments'
import { normaliseIdentifier } from '#consolidation/services'
import { applyPlannedRow, type ApplyContext } from '#consolidation/staff_import_apply'

/** Header names accepted for each field (compared lower-case without spaces, dots, dashes, underscores). */
const HEADERS: Record<string, string[]> = {
  employeeNumber: [
    'employeenumber',
    'employeeno',
    'employeeid',
    'staffnumber',
    'staffno',
    'staffid',
    'payrollnumber',
    'payrollid',
  ],
  name: ['name', 'fullname', 'displayname', 'employeename', 'employee'],
  firstName: ['firstname', 'givenname', 'forename'],
  lastName: ['lastname', 'surname', 'familyname'],
  email: ['email', 'emailaddress', 'mail', 'workemail', 'upn', 'userprincipalname'],
  department: ['department', 'dept', 'team', 'division'],
  costCentre: ['costcentre', 'costcenter', 'costcode'],
  active: ['active', 'status', 'enabled'],
  mobile: ['mobile', 'mobilenumber', 'mobilephone', 'mobileno', 'cell'],
  ddi: ['ddi', 'phone', 'phonenumber', 'directdial', 'telephone', 'landline'],
  extension: ['extension', 'ext', 'extensionnumber'],
}
const SERVICE_FIELDS: { field: string; kind: ServiceKind }[] = [
  { field: 'mobile', kind: 'mobile' },
  { field: 'ddi', kind: 'ddi' },
  { field: 'extension', kind: 'extension' },
]

export type Change = { from: string | boolean | null; to: string | boolean | null }
export type PlannedRow = {
  line: number
  action: 'create' | 'update' | 'unchanged' | 'error'
  employeeId: number | null
  name: string
  matchedBy: 'employee_number' | 'email' | null
  changes: Record<string, Change>
  services: { kind: ServiceKind; identifier: string; currentHolder: string | null }[]
  errors: string[]
}
export type StaffImportPlan = {
  columns: Record<string, string>
  ignoredColumns: string[]
  rows: PlannedRow[]
  newDepartments: string[]
  summary: { create: number; update: number; unchanged: number; error: number; services: number }
}

const key = (header: string) => header.toLowerCase().replace(/[\s._-]+/g, '')

function parseCsv(text: string) {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? ''
  const delimiter = [',', ';', '\t'].reduce(
    (best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best),
    ','
  )
  const records: string[][] = parse(text, {
    bom: true,
    delimiter,
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
  })
  if (records.length === 0) throw new SyntaxError('The file is empty')
  const [header, ...rows] = records
  const columns: Record<string, number> = {}
  const mapped: Record<string, string> = {}
  const ignored: string[] = []
  header.forEach((h, i) => {
    const field = Object.keys(HEADERS).find((f) => HEADERS[f].includes(key(h)))
    if (field && columns[field] === undefined) {
      columns[field] = i
      mapped[field] = h
    } else ignored.push(h)
  })
  if (
    columns.name === undefined &&
    columns.firstName === undefined &&
    columns.lastName === undefined
  ) {
    throw new SyntaxError(
      'The file needs a header row with a name column (name, or first name and last name)'
    )
  }
  if (columns.employeeNumber === undefined && columns.email === undefined) {
    throw new SyntaxError('The file needs an employee number or an email column to match people by')
  }
  return { columns, mapped, ignored, rows }
}

function parseActive(value: string | undefined): boolean | null {
  if (value === undefined || value === '') return null
  const v = value.trim().toLowerCase()
  if (['1', 'yes', 'y', 'true', 'active', 'enabled'].includes(v)) return true
  if (['0', 'no', 'n', 'false', 'inactive', 'disabled', 'leaver', 'left'].includes(v)) return false
  return null
}

/**
 * Works out what importing a staff list would change, without changing anything: each row is
 * matched to an existing employee by employee number, then by email (case-insensitive), else created.
 */
export async function planStaffImport(
  customer: Customer,
  text: string,
  trx?: TransactionClientContract
): Promise<StaffImportPlan> {
  const { columns, mapped, ignored, rows } = parseCsv(text)
  const directory = await directoryOf(customer, trx)
  const seen: SeenInFile = {
    numbers: new Map(),
    emails: new Map(),
    services: new Map(),
    newDepartments: new Set(),
  }
  const planned = rows.map((cells, index) => {
    const cell = (field: string) =>
      columns[field] === undefined ? undefined : (cells[columns[field]] ?? '').trim()
    return planRow(cell, index + 2, directory, seen)
  })
  return summarisePlan(planned, seen.newDepartments, mapped, ignored)
}

type Directory = Awaited<ReturnType<typeof directoryOf>>
type Cell = (field: string) => string | undefined

/** What earlier lines of the file used: a number, email or service twice is an error. */
interface SeenInFile {
  numbers: Map<string, number>
  emails: Map<string, number>
  services: Map<string, number>
  newDepartments: Set<string>
}

/** The customer's employees, departments and services, and who holds each service now. */
async function directoryOf(customer: Customer, client?: TransactionClientContract) {
  const employees = await Employee.query({ client }).where('customer_id', customer.id)
  const departments = await Department.query({ client }).where('customer_id', customer.id)
  const byNumber = new Map<string, Employee>()
  const byEmail = new Map<string, Employee>()
  for (const e of employees) {
    if (e.employeeNumber) byNumber.set(e.employeeNumber.trim().toLowerCase(), e)
    if (e.email) byEmail.set(e.email.trim().toLowerCase(), e)
  }
  const services = await Service.query({ client }).where('customer_id', customer.id)
  const now = sqlDateTime(DateTime.utc())
  const holders = await (client ?? db)
    .from('assignments as a')
    .join('services as s', 's.id', 'a.service_id')
    .join('employees as e', 'e.id', 'a.employee_id')
    .where('s.customer_id', customer.id)
    .where('a.starts_at', '<=', now)
    .where((q) => q.whereNull('a.ends_at').orWhere('a.ends_at', '>', now))
    .select('s.identifier', 'a.employee_id', 'e.name')
  return {
    byNumber,
    byEmail,
    deptById: new Map(departments.map((d) => [d.id, d])),
    deptByName: new Map(departments.map((d) => [d.name.trim().toLowerCase(), d])),
    serviceByIdentifier: new Map(services.map((s) => [s.identifier, s])),
    holderOf: new Map(
      holders.map((h) => [
        String(h.identifier),
        { employeeId: Number(h.employee_id), name: String(h.name) },
      ])
    ),
  }
}

function planRow(cell: Cell, line: number, directory: Directory, seen: SeenInFile): PlannedRow {
  const errors: string[] = []
  const person = personOf(cell, line, seen, errors)
  const { match, matchedBy } = matchEmployee(person, directory, errors)
  if (!match && !person.name) errors.push('A new employee needs a name')
  const changes = changesOf(cell, person, match, directory, seen)
  const services = servicesOf(cell, line, match, directory, seen, errors)
  const action: PlannedRow['action'] = errors.length
    ? 'error'
    : !match
      ? 'create'
      : Object.keys(changes).length || services.length
        ? 'update'
        : 'unchanged'
  return {
    line,
    action,
    employeeId: match?.id ?? null,
    name: person.name || match?.name || '',
    matchedBy,
    changes,
    services,
    errors,
  }
}

/** The row's number, email and name, checked and compared with earlier lines. */
function personOf(cell: Cell, line: number, seen: SeenInFile, errors: string[]) {
  const number = cell('employeeNumber') || null
  const emailRaw = cell('email')
  const email = emailRaw ? emailRaw.toLowerCase() : null
  const name = (
    cell('name') || [cell('firstName'), cell('lastName')].filter(Boolean).join(' ')
  ).trim()
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    errors.push(`"${emailRaw}" is not an email address`)
  if (!number && !email) errors.push('No employee number or email to match by')
  if (number) {
    const k = number.toLowerCase()
    if (seen.numbers.has(k))
      errors.push(`Employee number ${number} also on line ${seen.numbers.get(k)}`)
    else seen.numbers.set(k, line)
  }
  if (email) {
    if (seen.emails.has(email)) errors.push(`Email ${email} also on line ${seen.emails.get(email)}`)
    else seen.emails.set(email, line)
  }
  return { number, email, name }
}

type Person = ReturnType<typeof personOf>

function matchEmployee(person: Person, directory: Directory, errors: string[]) {
  const { number, email } = person
  if (number && directory.byNumber.has(number.toLowerCase()))
    return {
      match: directory.byNumber.get(number.toLowerCase())!,
      matchedBy: 'employee_number' as const,
    }
  if (email && directory.byEmail.has(email)) {
    const match = directory.byEmail.get(email)!
    if (
      number &&
      match.employeeNumber &&
      match.employeeNumber.toLowerCase() !== number.toLowerCase()
    ) {
      errors.push(`${email} belongs to employee number ${match.employeeNumber}, not ${number}`)
    }
    return { match, matchedBy: 'email' as const }
  }
  return { match: null, matchedBy: null }
}

/** Each field the row would change on the matched employee (every given field for a new one). */
function changesOf(
  cell: Cell,
  person: Person,
  match: Employee | null,
  directory: Directory,
  seen: SeenInFile
) {
  const changes: Record<string, Change> = {}
  const compare = (field: string, current: string | null, next: string | null | undefined) => {
    if (next === undefined || next === null || next === '') return
    if ((current ?? '') !== next) changes[field] = { from: current, to: next }
  }
  compare('name', match?.name ?? null, person.name || undefined)
  compare('email', match?.email ?? null, person.email)
  compare('employeeNumber', match?.employeeNumber ?? null, person.number)
  const deptName = cell('department')
  if (deptName) {
    const existing = directory.deptByName.get(deptName.toLowerCase())
    if (!existing) seen.newDepartments.add(deptName)
    const current = match?.departmentId
      ? (directory.deptById.get(match.departmentId)?.name ?? null)
      : null
    if (!existing || existing.id !== match?.departmentId)
      changes.department = { from: current, to: existing?.name ?? deptName }
  }
  const active = parseActive(cell('active'))
  if (active !== null && (match ? match.active !== active : active === false))
    changes.active = { from: match ? match.active : null, to: active }
  return changes
}

/** The numbers the row assigns to the employee that they do not hold already. */
function servicesOf(
  cell: Cell,
  line: number,
  match: Employee | null,
  directory: Directory,
  seen: SeenInFile,
  errors: string[]
) {
  const services: PlannedRow['services'] = []
  for (const { field, kind } of SERVICE_FIELDS) {
    const raw = cell(field)
    if (!raw) continue
    for (const part of raw
      .split(/[|/]/)
      .map((p) => p.trim())
      .filter(Boolean)) {
      const identifier = normaliseIdentifier(kind, part)
      if (!identifier) {
        errors.push(`"${part}" is not a valid ${field} number`)
        continue
      }
      if (seen.services.has(identifier)) {
        errors.push(`${identifier} also on line ${seen.services.get(identifier)}`)
        continue
      }
      seen.services.set(identifier, line)
      const holder = directory.holderOf.get(identifier)
      if (match && holder?.employeeId === match.id) continue
      const existing = directory.serviceByIdentifier.get(identifier)
      services.push({
        kind: existing?.kind ?? kind,
        identifier,
        currentHolder: holder?.name ?? null,
      })
    }
  }
  return services
}

function summarisePlan(
  planned: PlannedRow[],
  newDepartments: Set<string>,
  mapped: StaffImportPlan['columns'],
  ignored: StaffImportPlan['ignoredColumns']
): StaffImportPlan {
  const count = (a: PlannedRow['action']) => planned.filter((r) => r.action === a).length
  const usedDepartments = new Set(
    planned
      .filter((r) => r.action !== 'error')
      .map((r) => String(r.changes.department?.to ?? '').toLowerCase())
  )
  return {
    columns: mapped,
    ignoredColumns: ignored,
    rows: planned,
    newDepartments: [...newDepartments].filter((d) => usedDepartments.has(d.toLowerCase())),
    summary: {
      create: count('create'),
      update: count('update'),
      unchanged: count('unchanged'),
      error: count('error'),
      services: planned
        .filter((r) => r.action !== 'error')
        .reduce((n, r) => n + r.services.length, 0),
    },
  }
}

/**
 * Applies a staff list: the plan is worked out again inside the transaction (so it reflects the
 * data as it is now) and every row without errors is applied. Numbers in the list are assigned to
 * their employee from `servicesFrom` (a date in the customer's zone; today by default).
 */
export async function applyStaffImport(
  customer: Customer,
  text: string,
  opts: { userId?: number | null; servicesFrom?: string | null } = {}
) {
  const from = localMidnight(
    opts.servicesFrom || DateTime.now().setZone(customer.timeZone).toISODate()!,
    customer.timeZone
  )
  const touched: string[] = []
  const plan = await db.transaction(async (trx) => {
    const planned = await planStaffImport(customer, text, trx)
    const context: ApplyContext = { customer, userId: opts.userId, from, trx }
    for (const row of planned.rows) {
      if (row.action === 'error' || row.action === 'unchanged') continue
      touched.push(...(await applyPlannedRow(row, context)))
    }
    return planned
  })
  const periods = new Set<string>()
  for (const identifier of touched)
    for (const p of await affectedPeriods(customer.id, identifier, from)) periods.add(p)
  if (periods.size) await afterUsageChange(customer.id, [...periods])
  return { ...plan.summary, periods: [...periods].sort(), plan }
}
