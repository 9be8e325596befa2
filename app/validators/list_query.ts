import vine from '@vinejs/vine'

/**
 * Query strings of list pages. Numbers are bounded integers, so `?page=1e400` or
 * `?connector=99999999999999999999` is a validation error, never a database error.
 */
const pageNumber = () => vine.number().withoutDecimals().min(1).max(1_000_000).optional()
const id = () => vine.number().withoutDecimals().min(0).max(2_147_483_647).optional()

export const pageQueryValidator = vine.compile(vine.object({ page: pageNumber() }))

export const importsQueryValidator = vine.compile(
  vine.object({
    page: pageNumber(),
    status: vine.string().trim().maxLength(32).optional(),
    connector: id(),
  })
)

export const employeesQueryValidator = vine.compile(
  vine.object({ page: pageNumber(), department: id() })
)
