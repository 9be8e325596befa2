import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Adds a manual recurring charge (line rental, licence …) to a customer, with the same rules as the staff UI. */
export default class RecurringAdd extends BaseCommand {
  static commandName = 'recurring:add'
  static description =
    'Add a manual recurring charge (line rental, licence, support …) to a customer'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Customer account number', required: true })
  declare customer: string

  @flags.string({ description: 'Description on the invoice', required: true })
  declare description: string

  @flags.string({
    description: 'line_rental | licence | support | storage | other',
    default: 'line_rental',
  })
  declare category: string

  @flags.string({ description: 'Unit price a month, e.g. 12.50', required: true })
  declare price: string

  @flags.string({ description: 'Unit cost a month, e.g. 8.00', default: '0' })
  declare cost: string

  @flags.number({ description: 'Quantity (whole, at least 1)', default: 1 })
  declare quantity: number

  @flags.string({ description: 'First day charged, YYYY-MM-DD', required: true })
  declare from: string

  @flags.string({ description: 'Last day charged, YYYY-MM-DD (default: open-ended)' })
  declare to?: string

  @flags.string({ description: 'Employee of that customer: email or employee number' })
  declare employee?: string

  @flags.boolean({ description: 'Print one JSON object on stdout' })
  declare json: boolean

  private fail(message: string, errors?: { field: string; message: string }[]) {
    this.exitCode = 1
    if (this.json)
      process.stdout.write(JSON.stringify({ error: message, ...(errors ? { errors } : {}) }) + '\n')
    else
      this.logger.error(
        errors ? `${message}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}` : message
      )
  }

  async run() {
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const { errors } = await import('@vinejs/vine')
    const { recurringChargeValidator, recurringChargeInput } =
      await import('#validators/recurring_charge')
    const { createRecurringCharge } = await import('#consolidation/recurring_charges')
    const customer = await db
      .from('customers')
      .where('account_number', this.customer.trim().toUpperCase())
      .first()
    if (!customer) return this.fail(`no customer with account number "${this.customer}"`)
    let employeeId: number | undefined
    if (this.employee) {
      const key = this.employee.trim()
      const row = await db
        .from('employees')
        .where('customer_id', customer.id)
        .where((q) =>
          q.whereRaw('LOWER(email) = ?', [key.toLowerCase()]).orWhere('employee_number', key)
        )
        .select('id')
        .first()
      if (!row) return this.fail(`no employee "${key}" at ${customer.account_number}`)
      employeeId = Number(row.id)
    }
    let input
    try {
      input = await recurringChargeValidator.validate(
        {
          description: this.description,
          category: this.category,
          quantity: this.quantity,
          unitPrice: this.price,
          unitCost: this.cost,
          startsOn: this.from,
          endsOn: this.to,
          employeeId,
        },
        { meta: { customerId: Number(customer.id) } }
      )
    } catch (error) {
      if (error instanceof errors.E_VALIDATION_ERROR) {
        return this.fail(
          'invalid charge',
          (error.messages as any[]).map((m) => ({
            field: String(m.field),
            message: String(m.message),
          }))
        )
      }
      throw error
    }
    const charge = await createRecurringCharge(
      Number(customer.id),
      recurringChargeInput(input),
      null
    )
    const summary = {
      id: charge.id,
      customer: customer.account_number,
      description: charge.description,
      category: charge.category,
      quantity: charge.quantity,
      unit_price_e4: Number(charge.unitPriceE4),
      unit_cost_e4: Number(charge.unitCostE4),
      starts_on: charge.startsOn.toISODate(),
      ends_on: charge.endsOn ? charge.endsOn.toISODate() : null,
      employee_id: charge.employeeId,
    }
    if (this.json) process.stdout.write(JSON.stringify(summary) + '\n')
    else
      this.logger.success(
        `Added recurring charge #${charge.id} "${charge.description}" to ${customer.account_number}`
      )
  }
}
