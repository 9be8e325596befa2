import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'

/** The billing team's landing page: what needs attention this month. */
export default class DashboardController {
  async show({ inertia }: HttpContext) {
    const count = async (query: ReturnType<typeof db.from>) => Number((await query.count('* as n').first())?.n ?? 0)
    const [customers, employees, unrated, unallocated, draftRuns, failedDeliveries] = await Promise.all([
      count(db.from('customers')),
      count(db.from('employees')),
      count(db.from('usage_records').where('rating_status', 'unrated').whereNull('invoice_id')),
      count(db.from('usage_records').whereNull('employee_id').whereNull('invoice_id')),
      count(db.from('billing_runs').where('status', 'draft')),
      count(db.from('deliveries').where('status', 'failed')),
    ])
    const recentImports = await db
      .from('imports')
      .select('id', 'source_name', 'status', 'rows_read', 'rows_imported', 'rows_rejected', 'created_at')
      .orderBy('id', 'desc')
      .limit(8)
    return inertia.render('dashboard/show', {
      stats: { customers, employees, unrated, unallocated, draftRuns, failedDeliveries },
      recentImports,
    })
  }
}
