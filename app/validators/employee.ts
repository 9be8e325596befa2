import vine from '@vinejs/vine'
import { calendarDate as date } from '#validators/rules'

/** Create or edit an employee; meta.customerId and meta.employeeId (0 when new) scope uniqueness. */
export const employeeValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(200),
    email: vine.string().trim().toLowerCase().email().maxLength(254).optional(),
    employeeNumber: vine
      .string()
      .trim()
      .maxLength(64)
      .unique(async (db, value, field) => {
        const row = await db
          .from('employees')
          .where('customer_id', field.meta.customerId)
          .where('employee_number', value)
          .whereNot('id', field.meta.employeeId ?? 0)
          .first()
        return !row
      })
      .optional(),
    departmentId: vine.number().positive().optional(),
    active: vine.boolean().optional(),
  })
)

export const departmentValidator = vine.compile(
  vine.object({
    name: vine
      .string()
      .trim()
      .minLength(1)
      .maxLength(120)
      .unique(async (db, value, field) => {
        const row = await db
          .from('departments')
          .where('customer_id', field.meta.customerId)
          .whereRaw('LOWER(name) = ?', [value.toLowerCase()])
          .whereNot('id', field.meta.departmentId ?? 0)
          .first()
        return !row
      }),
    costCentre: vine.string().trim().maxLength(64).optional(),
  })
)

export const staffImportPreviewValidator = vine.compile(
  vine.object({
    file: vine.file({ size: '10mb', extnames: ['csv', 'txt'] }).optional(),
    csv: vine.string().maxLength(10_000_000).optional(),
  })
)

export const staffImportApplyValidator = vine.compile(
  vine.object({
    csv: vine.string().minLength(1).maxLength(10_000_000),
    servicesFrom: date().optional(),
  })
)
