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
  const charges = await db
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

  // Microsoft 365 users per employee (all assignments of m365_user services) and per service.
  const services = await db
    .from('services as s')
    .leftJoin('assignments as a', 'a.service_id', 's.id')
    .where('s.customer_id', customerId)
    .where('s.kind', 'm365_user')
    .select('s.id', 's.identifier', 'a.employee_id')
  const upnOfService = new Map<number, string>()
  const upnsOfEmployee = new Map<number, Set<string>>()
  for (const s of services as any[]) {
    const upn = String(s.identifier).toLowerCase()
    upnOfService.set(Number(s.id), upn)
    if (s.employee_id) {
      const set = upnsOfEmployee.get(Number(s.employee_id)) ?? new Set<string>()
      set.add(upn)
      upnsOfEmployee.set(Number(s.employee_id), set)
    }
  }

  const activity = await db
    .from('m365_activity')
    .where('customer_id', customerId)
    .select('upn', 'concealed', 'report_refresh_date', 'last_activity_date')
  const concealed = activity.some((a: any) => Boolean(a.concealed))
  const activityOf = new Map<string, { report: string; last: string | null }>(
    activity.map((a: any) => [
      String(a.upn).toLowerCase(),
      { report: dateOf(a.report_refresh_date)!, last: dateOf(a.last_activity_date) },
    ])
  )

  const unused: UnusedLicence[] = []
  let unmatched = 0
  for (const c of charges as any[]) {
    const employeeId = Number(c.employee_id)
    const candidates =
      c.service_id && upnOfService.has(Number(c.service_id))
        ? [upnOfService.get(Number(c.service_id))!]
        : [...(upnsOfEmployee.get(employeeId) ?? [])]
    const matched = candidates
      .map((upn) => ({ upn, act: activityOf.get(upn) }))
      .filter((m) => m.act)
    if (matched.length === 0) {
      unmatched++
      continue
    }
    // The most recent activity across the employee's users decides.
    matched.sort((a, b) => (b.act!.last ?? '').localeCompare(a.act!.last ?? ''))
    const { upn, act } = matched[0]
    const report = DateTime.fromISO(act!.report, { zone: 'utc' })
    const last = act!.last ? DateTime.fromISO(act!.last, { zone: 'utc' }) : null
    const daysInactive = last ? Math.floor(report.diff(last, 'days').days) : null
    if (last && daysInactive! < unusedLicenceDays) continue
    const quantity = Number(c.quantity)
    unused.push({
      chargeId: Number(c.id),
      employeeId,
      employeeName: String(c.employee_name),
      department: c.department_name ?? 'No department',
      upn,
      licence: String(c.description),
      quantity,
      lastActivityDate: act!.last,
      reportDate: act!.report,
      daysInactive,
      monthlyCostMinor: e4ToMinor(Number(c.unit_price_e4) * quantity),
    })
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
