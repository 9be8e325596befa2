import factory from '@adonisjs/lucid/factories'
import { DateTime } from 'luxon'
import Assignment from '#models/assignment'
import { EmployeeFactory } from './employee_factory.js'
import { ServiceFactory } from './service_factory.js'

/** A service held by an employee from 1 January 2026, open-ended. */
export const AssignmentFactory = factory
  .define(Assignment, () => ({
    startsAt: DateTime.fromISO('2026-01-01T00:00:00', { zone: 'utc' }),
    endsAt: null,
  }))
  .relation('service', () => ServiceFactory)
  .relation('employee', () => EmployeeFactory)
  .build()
