import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Customer from '#models/customer'
import Service, { SERVICE_KINDS } from '#models/service'
import Employee from '#models/employee'
import Assignment from '#models/assignment'
import { serviceLabelValidator, serviceValidator } from '#validators/service'
import { audit } from '#lib/audit'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { affectedPeriods, assignService, localMidnight, sqlDateTime } from '#consolidation/assignments'
import { KIND_LABELS, normaliseIdentifier } from '#consolidation/services'
import { localTime, money } from '#consolidation/queries'
import { employeeOptions } from '#consolidation/pickers'

export default class ServicesController {
  async index({ inertia, params, request }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const search = String(request.input('q', '')).trim()
    const kind = String(request.input('kind', ''))
    const now = sqlDateTime(DateTime.utc())
    const services = await db
      .from('services as s')
      .leftJoin('assignments as a', (j) =>
        j.on('a.service_id', 's.id').andOnVal('a.starts_at', '<=', now).andOn((q) => q.onNull('a.ends_at').orOnVal('a.ends_at', '>', now))
      )
      .leftJoin('employees as e', 'e.id', 'a.employee_id')
      .where('s.customer_id', customer.id)
      .if(search, (q) => q.where((w) => w.whereILike('s.identifier', `%${search}%`).orWhereILike('s.label', `%${search}%`).orWhereILike('e.name', `%${search}%`)))
      .if((SERVICE_KINDS as readonly string[]).includes(kind), (q) => q.where('s.kind', kind))
      .select('s.id', 's.kind', 's.identifier', 's.label', 'a.employee_id', 'e.name as employee', 'a.starts_at')
      .orderBy('s.kind')
      .orderBy('s.identifier')
      .limit(2000)
    const employees = await Employee.query().where('customer_id', customer.id).where('active', true).orderBy('name').select('id', 'name')
    return inertia.render('services/index', {
      customer: { id: customer.id, name: customer.name, timeZone: customer.timeZone },
      search,
      kind,
      kinds: SERVICE_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] })),
      employees: employees.map((e) => ({ id: e.id, name: e.name })),
      employeeOptions: await employeeOptions(customer.id),
      today: DateTime.now().setZone(customer.timeZone).toISODate(),
      services: services.map((s) => ({
        id: Number(s.id),
        kind: KIND_LABELS[s.kind as keyof typeof KIND_LABELS] ?? s.kind,
        identifier: s.identifier,
        label: s.label,
        employeeId: s.employee_id === null ? null : Number(s.employee_id),
        employee: s.employee,
        since: localTime(s.starts_at, customer.timeZone),
      })),
    })
  }

  async store({ request, response, params, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(serviceValidator)
    const identifier = normaliseIdentifier(input.kind, input.identifier)
    if (!identifier) {
      session.flash('error', `"${input.identifier}" is not a valid ${KIND_LABELS[input.kind].toLowerCase()}`)
      session.flashAll()
      return response.redirect().back()
    }
    const existing = await Service.query().where('customer_id', customer.id).where('identifier', identifier).first()
    if (existing) {
      session.flash('error', `${identifier} already exists for this customer`)
      return response.redirect(`/services/${existing.id}`)
    }
    const employee = input.employeeId ? await Employee.query().where('id', input.employeeId).where('customer_id', customer.id).firstOrFail() : null
    const from = employee ? localMidnight(input.from ?? DateTime.now().setZone(customer.timeZone).toISODate()!, customer.timeZone) : null
    const service = await db.transaction(async (trx) => {
      const created = await Service.create({ customerId: customer.id, kind: input.kind, identifier, label: input.label ?? null }, { client: trx })
      await audit({ userId: auth.user!.id, action: 'service.create', subjectType: 'service', subjectId: created.id, changes: created.serialize() }, trx)
      if (employee && from) await assignService(created, employee, from, { userId: auth.user!.id, trx })
      return created
    })
    // Records already imported for this identifier now have a service (and maybe a person).
    const periods = await affectedPeriods(customer.id, identifier, null)
    if (periods.length) await afterUsageChange(customer.id, periods)
    session.flash('success', `${KIND_LABELS[service.kind]} ${identifier} added`)
    return response.redirect(`/services/${service.id}`)
  }

  async show({ inertia, params }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    const customer = await Customer.findOrFail(service.customerId)
    const tz = customer.timeZone
    const assignments = await Assignment.query().where('service_id', service.id).preload('employee').orderBy('starts_at', 'desc')
    const nowMs = Date.now()
    const months = await db
      .from('monthly_rollups as m')
      .leftJoin('employees as e', 'e.id', 'm.employee_id')
      .where('m.customer_id', customer.id)
      .where('m.service_id', service.id)
      .groupBy('m.period', 'm.employee_id', 'e.name')
      .select('m.period', 'm.employee_id', 'e.name')
      .sum('m.record_count as records')
      .sum('m.cost_e4 as cost_e4')
      .sum('m.price_e4 as price_e4')
      .orderBy('m.period', 'desc')
      .limit(60)
    const latest = await db
      .from('usage_records as r')
      .leftJoin('employees as e', 'e.id', 'r.employee_id')
      .where('r.customer_id', customer.id)
      .where('r.identifier', service.identifier)
      .orderBy('r.occurred_at', 'desc')
      .limit(50)
      .select('r.id', 'r.occurred_at', 'r.category', 'r.destination', 'r.destination_name', 'r.duration_s', 'r.price_e4', 'r.cost_e4', 'r.invoice_id', 'e.name as employee')
    const employees = await Employee.query().where('customer_id', customer.id).where('active', true).orderBy('name').select('id', 'name')
    return inertia.render('services/show', {
      customer: { id: customer.id, name: customer.name, timeZone: tz },
      service: { id: service.id, kind: KIND_LABELS[service.kind], identifier: service.identifier, label: service.label },
      today: DateTime.now().setZone(tz).toISODate(),
      employees: employees.map((e) => ({ id: e.id, name: e.name })),
      employeeOptions: await employeeOptions(customer.id),
      history: assignments.map((a) => ({
        id: a.id,
        employeeId: a.employeeId,
        employee: a.employee?.name ?? `#${a.employeeId}`,
        startsAt: localTime(a.startsAt.toJSDate(), tz),
        endsAt: a.endsAt ? localTime(a.endsAt.toJSDate(), tz) : null,
        current: a.startsAt.toMillis() <= nowMs && (!a.endsAt || a.endsAt.toMillis() > nowMs),
      })),
      months: months.map((m) => ({
        period: m.period,
        employee: Number(m.employee_id) === 0 ? null : (m.name ?? `#${m.employee_id}`),
        records: Number(m.records),
        cost: money(Number(m.cost_e4), customer.currency),
        price: money(Number(m.price_e4), customer.currency),
      })),
      latest: latest.map((r) => ({
        id: Number(r.id),
        occurredAt: localTime(r.occurred_at, tz),
        category: r.category,
        destination: r.destination_name ?? r.destination,
        durationS: Number(r.duration_s),
        employee: r.employee,
        cost: r.cost_e4 === null ? null : money(Number(r.cost_e4), customer.currency),
        price: r.price_e4 === null ? null : money(Number(r.price_e4), customer.currency),
        billed: r.invoice_id !== null,
      })),
    })
  }

  async update({ request, response, params, auth, session }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    const input = await request.validateUsing(serviceLabelValidator)
    await db.transaction(async (trx) => {
      service.useTransaction(trx).label = input.label ?? null
      const changes = service.$dirty
      await service.save()
      await audit({ userId: auth.user!.id, action: 'service.update', subjectType: 'service', subjectId: service.id, changes }, trx)
    })
    session.flash('success', 'Saved')
    return response.redirect(`/services/${service.id}`)
  }

  async destroy({ response, params, auth, session }: HttpContext) {
    const service = await Service.findOrFail(params.id)
    await db.transaction(async (trx) => {
      await audit({ userId: auth.user!.id, action: 'service.delete', subjectType: 'service', subjectId: service.id, changes: service.serialize() }, trx)
      await service.useTransaction(trx).delete()
    })
    const periods = await affectedPeriods(service.customerId, service.identifier, null)
    if (periods.length) await afterUsageChange(service.customerId, periods)
    session.flash('success', `${service.identifier} deleted; its unbilled records are unallocated`)
    return response.redirect(`/customers/${service.customerId}/services`)
  }
}
