import { DateTime } from 'luxon'
import type Customer from '#models/customer'
import { isoDayOf } from '#lib/iso_time'
import { planStaffImport, type StaffImportPlan } from '#consolidation/staff_import'

/** Read model of the staff list import page (employees/import): the upload form, then its preview. */

export type StaffImportPageProps = {
  customer: { id: number; name: string }
  /** Today in the customer's zone, the default start of the services the import assigns. */
  today: string
  /** The previewed CSV, sent back with "Apply"; null before a preview or when it failed. */
  csv: string | null
  plan: StaffImportPlan | null
  /** Why the CSV could not be planned. */
  error: string | null
}

type Preview = Pick<StaffImportPageProps, 'csv' | 'plan' | 'error'>

export function staffImportPageProps(
  customer: Customer,
  preview: Preview = { csv: null, plan: null, error: null }
): StaffImportPageProps {
  return {
    customer: { id: customer.id, name: customer.name },
    today: isoDayOf(DateTime.now().setZone(customer.timeZone)),
    ...preview,
  }
}

/** Plans the CSV; a CSV that cannot be read is shown as the page's error, not thrown. */
export async function staffImportPreviewProps(
  customer: Customer,
  csv: string
): Promise<StaffImportPageProps> {
  try {
    if (!csv.trim()) throw new SyntaxError('Choose a CSV file or paste its contents')
    const plan = await planStaffImport(customer, csv)
    return staffImportPageProps(customer, { csv, plan, error: null })
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e)
    return staffImportPageProps(customer, { csv: null, plan: null, error })
  }
}
