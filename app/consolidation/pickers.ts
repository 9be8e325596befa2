import db from '@adonisjs/lucid/services/db'

/**
 * Options for the searchable employee picker (inertia/components/SearchPicker.vue): the name, and
 * employee number, department and email to tell same-named people apart and to search by.
 */
export interface EmployeeOption {
  id: number
  label: string
  detail: string
  keywords: string
  disabled?: boolean
}

export async function employeeOptions(
  customerId: number,
  options: { activeOnly?: boolean } = {}
): Promise<EmployeeOption[]> {
  const q = db
    .from('employees as e')
    .leftJoin('departments as d', 'd.id', 'e.department_id')
    .where('e.customer_id', customerId)
    .select('e.id', 'e.name', 'e.employee_number', 'e.email', 'e.active', 'd.name as department')
    .orderBy('e.name')
    .orderBy('e.id')
  if (options.activeOnly ?? true) q.where('e.active', true)
  const rows = await q
  return rows.map((r: any) => {
    const parts = [r.employee_number, r.department, r.email].filter(Boolean)
    return {
      id: Number(r.id),
      label: String(r.name),
      detail: parts.join(' · ') + (r.active ? '' : ' · left'),
      keywords: parts.join(' '),
    }
  })
}
