import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { e4ToMinor } from '#lib/money'
import { insightsSettings } from '#insights/settings'

export type UnusedLicence = {
  chargeId: number
  employeeId: number
  employeeName: string
  department: string
  upn: string
  licence: string
  quantity: number
  lastActivityDate: string | null
  reportDate: string
  daysInactive: number | null
  monthlyCostMinor: number
}

const dateOf = (v: unknown): string | null => {
  if (v === null || v === undefined || v === '') return null
  if (v instanceof Date) return DateTime.fromJSDate(v, { zone: 'utc' }).toISODate()
  return String(v).slice(0, 10)
}

/** A Microsoft 365 licence charge as read for the report (values as the driver returns them). */
type LicenceCharge = {
  id: unknown
  employee_id: unknown
  service_id: unknown
  description: unknown
  quantity: unknown
  unit_price_e4: unknown
  employee_name: unknown
  department_name: string | null
}

/** Microsoft 365 users (UPNs, lower case) per m365_user service and per employee holding one. */
type M365Users = { upnOfService: Map<number, string>; upnsOfEmployee: Map<number, Set<string>> }

type Activity = { report: string; last: string | null }

/**
 * Unused licences: Microsoft 365 licence charges (recurring_charges origin 'm365') assigned to an
 * employee whose user shows no activity for `unusedLicenceDays` (default 30) before the activity
 * report's refresh date. The user is found from the charge's service, else from the employee's
 * m365_user services (identifier = UPN) through assignments. Reports that conceal user names cannot be
 * matched; `concealed` says so.
 */
export async function unusedLicences(customerId: number, asOf: DateTime = DateTime.utc()) {
  const { unusedLicenceDays } = await insightsSettings()
  const today = asOf.toISODate()!
  const charges = await licenceCharges(customerId, today)
  const users = await m365Users(customerId)
  const { concealed, activityOf } = await m365Activity(customerId)

  const unused: UnusedLicence[] = []
  let unmatched = 0
  for (const c of charges) {
    const latest = latestActivity(c, users, activityOf)
    if (!latest) {
      unmatched++
      continue
    }
    const licence = inactiveLicence(c, latest.upn, latest.act, unusedLicenceDays)
    if (licence) unused.push(licence)
  }
  unused.sort(
    (a, b) =>
      b.monthlyCostMinor - a.monthlyCostMinor || a.employeeName.localeCompare(b.employeeName)
  )
  const monthlySavingMinor = unused.reduce((s, u) => s + u.monthlyCostMinor, 0)
  return {
    asOf: today,
    inactiveDays: unusedLicenceDays,
    licences: unused,
    licencesChecked: charges.length,
    unmatched,
    concealed,
    monthlySavingMinor,
    annualSavingMinor: monthlySavingMinor * 12,
  }
}

/** The customer's Microsoft 365 licence charges held by an employee and running today. */
async function licenceCharges(customerId: number, today: string): Promise<LicenceCharge[]> {
  return db
    .from('recurring_charges as rc')
    .join('employees as e', 'e.id', 'rc.employee_id')
    .leftJoin('departments as d', 'd.id', 'e.department_id')
    .where('rc.customer_id', customerId)
    .where('e.customer_id', customerId)
    .where('rc.origin', 'm365')
    .whereNotNull('rc.employee_id')
    .where('rc.starts_on', '<=', today)
    .where((q) => q.whereNull('rc.ends_on').orWhere('rc.ends_on', '>=', today))
    .select(
      'rc.id',
      'rc.employee_id',
      'rc.service_id',
      'rc.description',
      'rc.quantity',
      'rc.unit_price_e4',
      'e.name as employee_name',
      'd.name as department_name'
    )
    .orderBy('e.name')
    .orderBy('rc.id')
}

/** Every assignment of the customer's m365_user services counts, past ones included. */
async function m365Users(customerId: number): Promise<M365Users> {
  const services: { id: unknown; identifier: unknown; employee_id: unknown }[] = await db
    .from('services as s')
    .leftJoin('assignments as a', 'a.service_id', 's.id')
    .where('s.customer_id', customerId)
    .where('s.kind', 'm365_user')
    .select('s.id', 's.identifier', 'a.employee_id')
  const upnOfService = new Map<number, string>()
  const upnsOfEmployee = new Map<number, Set<string>>()
  for (const s of services) {
    const upn = String(s.identifier).toLowerCase()
    upnOfService.set(Number(s.id), upn)
    if (s.employee_id) {
      const set = upnsOfEmployee.get(Number(s.employee_id)) ?? new Set<string>()
      set.add(upn)
      upnsOfEmployee.set(Number(s.employee_id), set)
    }
  }
  return { upnOfService, upnsOfEmployee }
}

/** The customer's activity report per UPN (lower case), and whether it conceals user names. */
async function m365Activity(customerId: number) {
  const activity: {
    upn: unknown
    concealed: unknown
    report_refresh_date: unknown
    last_activity_date: unknown
  }[] = await db
    .from('m365_activity')
    .where('customer_id', customerId)
    .select('upn', 'concealed', 'report_refresh_date', 'last_activity_date')
  const concealed = activity.some((a) => Boolean(a.concealed))
  const activityOf = new Map<string, Activity>(
    activity.map((a) => [
      String(a.upn).toLowerCase(),
      { report: dateOf(a.report_refresh_date)!, last: dateOf(a.last_activity_date) },
    ])
  )
  return { concealed, activityOf }
}

/**
 * The charge's user with the most recent activity: its service's user, else any of its
 * employee's; null when none is in the activity report.
 */
function latestActivity(
  c: LicenceCharge,
  users: M365Users,
  activityOf: Map<string, Activity>
): { upn: string; act: Activity } | null {
  const candidates =
    c.service_id && users.upnOfService.has(Number(c.service_id))
      ? [users.upnOfService.get(Number(c.service_id))!]
      : [...(users.upnsOfEmployee.get(Number(c.employee_id)) ?? [])]
  const matched = candidates.map((upn) => ({ upn, act: activityOf.get(upn) })).filter((m) => m.act)
  if (matched.length === 0) return null
  matched.sort((a, b) => (b.act!.last ?? '').localeCompare(a.act!.last ?? ''))
  return { upn: matched[0].upn, act: matched[0].act! }
}

/** The charge as an unused licence, or null when its user was active within `inactiveDays`. */
function inactiveLicence(
  c: LicenceCharge,
  upn: string,
  act: Activity,
  inactiveDays: number
): UnusedLicence | null {
  const report = DateTime.fromISO(act.report, { zone: 'utc' })
  const last = act.last ? DateTime.fromISO(act.last, { zone: 'utc' }) : null
  const daysInactive = last ? Math.floor(report.diff(last, 'days').days) : null
  if (last && daysInactive! < inactiveDays) return null
  const quantity = Number(c.quantity)
  return {
    chargeId: Number(c.id),
    employeeId: Number(c.employee_id),
    employeeName: String(c.employee_name),
    department: c.department_name ?? 'No department',
    upn,
    licence: String(c.description),
    quantity,
    lastActivityDate: act.last,
    reportDate: act.report,
    daysInactive,
    monthlyCostMinor: e4ToMinor(Number(c.unit_price_e4) * quantity),
  }
}
