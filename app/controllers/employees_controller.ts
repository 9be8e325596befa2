import type { HttpContext } from '@adonisjs/core/http'
import { defaultLastMonth } from '#insights/queries'
import { isPeriod } from '#insights/periods'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Customer from '#models/customer'
import Employee from '#models/employee'
import Department from '#models/department'
import Assignment from '#models/assignment'
import { employeeValidator } from '#validators/employee'
import { audit } from '#lib/audit'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { refreshRecurringRollups } from '#consolidation/rollups'
import { periodsOf, sqlDateTime } from '#consolidation/assignments'
import { employeeMonths, localTime, money } from '#consolidation/queries'
import { KIND_LABELS } from '#consolidation/services'
import { employeesQueryValidator } from '#validators/list_query'

async function hasRecurringCharges(customerId: number, employeeId: number) {
  return !!(await db.from('recurring_charges').where('customer_id', customerId).where('employee_id', employeeId).select('id').first())
}

export default class EmployeesController {
  async index({ inertia, params, request }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const search = String(request.input('q', '')).trim()
    const { department: departmentId = 0 } = await request.validateUsing(employeesQueryValidator)
    // The month shown: ?period=, else the last complete month with data (never the empty current month).
    const asked = String(request.input('period', ''))
    const period = isPeriod(asked) ? asked : await defaultLastMonth(customer.id)
    const now = sqlDateTime(DateTime.utc())
    const employees = await db
      .from('employees as e')
      .leftJoin('departments as d', 'd.id', 'e.department_id')
      .where('e.customer_id', customer.id)
      .if(search, (q) => q.where((w) => w.whereILike('e.name', `%${search}%`).orWhereILike('e.email', `%${search}%`).orWhereILike('e.employee_number', `%${search}%`)))
      .if(departmentId, (q) => q.where('e.department_id', departmentId))
      .select('e.id', 'e.name', 'e.email', 'e.employee_number', 'e.active', 'e.department_id', 'd.name as department')
      .select(
        db.raw(
          '(SELECT COUNT(*) FROM assignments a WHERE a.employee_id = e.id AND a.starts_at <= ? AND (a.ends_at IS NULL OR a.ends_at > ?)) as services',
          [now, now]
        ),
        db.raw('(SELECT COALESCE(SUM(m.price_e4), 0) FROM monthly_rollups m WHERE m.customer_id = e.customer_id AND m.employee_id = e.id AND m.period = ?) as month_price', [period])
      )
      .orderBy('e.name')
      .limit(2000)
    const departments = await Department.query().where('customer_id', customer.id).orderBy('name')
    return inertia.render('employees/index', {
      customer: { id: customer.id, name: customer.name },
      search,
      departmentId,
      period,
      departments: departments.map((d) => ({ id: d.id, name: d.name })),
      employees: employees.map((e) => ({
        id: Number(e.id),
        name: e.name,
        email: e.email,
        employeeNumber: e.employee_number,
        active: Boolean(e.active),
        departmentId: e.department_id,
        department: e.department,
        services: Number(e.services),
        monthPrice: money(Number(e.month_price), customer.currency),
      })),
    })
  }

  async store({ request, response, params, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(employeeValidator, { meta: { customerId: customer.id, employeeId: 0 } })
    if (input.departmentId) await Department.query().where('id', input.departmentId).where('customer_id', customer.id).firstOrFail()
    const employee = await db.transaction(async (trx) => {
      const created = await Employee.create(
        {
          customerId: customer.id,
          name: input.name,
          email: input.email ?? null,
          employeeNumber: input.employeeNumber ?? null,
          departmentId: input.departmentId ?? null,
          active: input.active ?? true,
        },
        { client: trx }
      )
      await audit({ userId: auth.user!.id, action: 'employee.create', subjectType: 'employee', subjectId: created.id, changes: created.serialize() }, trx)
      return created
    })
    session.flash('success', `Employee ${employee.name} added`)
    return response.redirect(`/employees/${employee.id}`)
  }

  async show({ inertia, params }: HttpContext) {
    const employee = await Employee.query().where('id', params.id).preload('department').firstOrFail()
    const customer = await Customer.findOrFail(employee.customerId)
    const tz = customer.timeZone
    const assignments = await Assignment.query().where('employee_id', employee.id).preload('service').orderBy('starts_at', 'desc')
    const nowMs = Date.now()
    const latest = await db
      .from('usage_records')
      .where('customer_id', customer.id)
      .where('employee_id', employee.id)
      .orderBy('occurred_at', 'desc')
      .limit(50)
      .select('id', 'identifier', 'occurred_at', 'period', 'category', 'destination', 'destination_name', 'duration_s', 'volume_bytes', 'cost_e4', 'price_e4', 'rating_status', 'invoice_id')
    const recurring = await db
      .from('recurring_charges')
      .where('employee_id', employee.id)
      .orderBy('starts_on', 'desc')
      .select('id', 'description', 'category', 'quantity', 'unit_price_e4', 'starts_on', 'ends_on')
    const departments = await Department.query().where('customer_id', customer.id).orderBy('name')
    return inertia.render('employees/show', {
      customer: { id: customer.id, name: customer.name, timeZone: tz },
      employee: {
        id: employee.id,
        name: employee.name,
        email: employee.email,
        employeeNumber: employee.employeeNumber,
        active: employee.active,
        departmentId: employee.departmentId,
        department: employee.department?.name ?? null,
      },
      departments: departments.map((d) => ({ id: d.id, name: d.name })),
      assignments: assignments.map((a) => ({
        id: a.id,
        serviceId: a.serviceId,
        kind: KIND_LABELS[a.service.kind] ?? a.service.kind,
        identifier: a.service.identifier,
        label: a.service.label,
        startsAt: localTime(a.startsAt.toJSDate(), tz),
        endsAt: a.endsAt ? localTime(a.endsAt.toJSDate(), tz) : null,
        current: a.startsAt.toMillis() <= nowMs && (!a.endsAt || a.endsAt.toMillis() > nowMs),
      })),
      months: await employeeMonths(customer.id, employee.id, customer.currency),
      latest: latest.map((r) => ({
        id: Number(r.id),
        identifier: r.identifier,
        occurredAt: localTime(r.occurred_at, tz),
        category: r.category,
        destination: r.destination_name ?? r.destination,
        durationS: Number(r.duration_s),
        volumeBytes: Number(r.volume_bytes),
        cost: r.cost_e4 === null ? null : money(Number(r.cost_e4), customer.currency),
        price: r.price_e4 === null ? null : money(Number(r.price_e4), customer.currency),
        status: r.rating_status,
        billed: r.invoice_id !== null,
      })),
      recurring: recurring.map((r) => ({
        id: Number(r.id),
        description: r.description,
        category: r.category,
        quantity: Number(r.quantity),
        unitPrice: money(Number(r.unit_price_e4), customer.currency),
        startsOn: r.starts_on instanceof Date ? DateTime.fromJSDate(r.starts_on).toISODate() : String(r.starts_on).slice(0, 10),
        endsOn: r.ends_on ? (r.ends_on instanceof Date ? DateTime.fromJSDate(r.ends_on).toISODate() : String(r.ends_on).slice(0, 10)) : null,
      })),
    })
  }

  async update({ request, response, params, auth, session }: HttpContext) {
    const employee = await Employee.findOrFail(params.id)
    const input = await request.validateUsing(employeeValidator, { meta: { customerId: employee.customerId, employeeId: employee.id } })
    if (input.departmentId) await Department.query().where('id', input.departmentId).where('customer_id', employee.customerId).firstOrFail()
    const departmentChanged = (input.departmentId ?? null) !== employee.departmentId
    await db.transaction(async (trx) => {
      employee.useTransaction(trx)
      employee.merge({
        name: input.name,
        email: input.email ?? null,
        employeeNumber: input.employeeNumber ?? null,
        departmentId: input.departmentId ?? null,
        active: input.active ?? employee.active,
      })
      const changes = employee.$dirty
      await employee.save()
      await audit({ userId: auth.user!.id, action: 'employee.update', subjectType: 'employee', subjectId: employee.id, changes }, trx)
    })
    // Unbilled records carry the employee's department: move them (and the rollups) with the employee.
    if (departmentChanged) {
      const periods = await periodsOf(employee.customerId, 'employee_id', employee.id)
      if (periods.length) await afterUsageChange(employee.customerId, periods)
      // Their recurring charges (licences) follow them in the insights too.
      if (await hasRecurringCharges(employee.customerId, employee.id)) await refreshRecurringRollups(employee.customerId)
    }
    session.flash('success', 'Employee saved')
    return response.redirect(`/employees/${employee.id}`)
  }

  async destroy({ response, params, auth, session }: HttpContext) {
    const employee = await Employee.findOrFail(params.id)
    const billed = await db.from('usage_records').where('employee_id', employee.id).whereNotNull('invoice_id').first()
    if (billed) {
      session.flash('error', 'This employee has invoiced charges and cannot be deleted; mark them inactive instead')
      return response.redirect(`/employees/${employee.id}`)
    }
    const periods = await periodsOf(employee.customerId, 'employee_id', employee.id)
    const hadCharges = await hasRecurringCharges(employee.customerId, employee.id)
    await db.transaction(async (trx) => {
      await audit({ userId: auth.user!.id, action: 'employee.delete', subjectType: 'employee', subjectId: employee.id, changes: employee.serialize() }, trx)
      await employee.useTransaction(trx).delete()
    })
    if (periods.length) await afterUsageChange(employee.customerId, periods)
    // Their recurring charges are now nobody's (employee_id SET NULL): move them in the insights.
    if (hadCharges) await refreshRecurringRollups(employee.customerId)
    session.flash('success', `Employee ${employee.name} deleted; their services are unallocated for the time they held them`)
    return response.redirect(`/customers/${employee.customerId}/employees`)
  }
}
