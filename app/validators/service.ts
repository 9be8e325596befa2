import vine from '@vinejs/vine'
import { SERVICE_KINDS } from '#models/service'
import { calendarDate as date } from '#validators/rules'

export const serviceValidator = vine.compile(
  vine.object({
    kind: vine.enum(SERVICE_KINDS),
    identifier: vine.string().trim().minLength(1).maxLength(254),
    label: vine.string().trim().maxLength(200).optional(),
    employeeId: vine.number().positive().optional(),
    from: date().optional(),
  })
)

export const serviceLabelValidator = vine.compile(
  vine.object({ label: vine.string().trim().maxLength(200).optional() })
)

/** Assign (or move) a service to an employee from a date in the customer's time zone. */
export const assignValidator = vine.compile(
  vine.object({ employeeId: vine.number().positive(), from: date() })
)

export const endAssignmentValidator = vine.compile(vine.object({ date: date() }))

export const unallocatedAssignValidator = vine.compile(
  vine.object({
    identifiers: vine
      .array(vine.string().trim().minLength(1).maxLength(254))
      .minLength(1)
      .maxLength(5000),
    employeeId: vine.number().positive(),
    from: date().optional(),
  })
)

export const unallocatedCreateValidator = vine.compile(
  vine.object({
    identifiers: vine
      .array(vine.string().trim().minLength(1).maxLength(254))
      .minLength(1)
      .maxLength(5000),
    departmentId: vine.number().positive().optional(),
    from: date().optional(),
  })
)

export const ruleValidator = vine.compile(
  vine.object({
    rule: vine.enum(['upn_email', 'identifier_employee_number'] as const),
    enabled: vine.boolean(),
  })
)
