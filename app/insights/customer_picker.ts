import db from '@adonisjs/lucid/services/db'

/** Read model of insights/index: the customers to pick from and the months any rollup covers. */

export type InsightsIndexProps = {
  customers: { id: number; name: string; accountNumber: string; miAddon: boolean }[]
  first: string | null
  last: string | null
}

export async function insightsIndexProps(): Promise<InsightsIndexProps> {
  const customers = await db
    .from('customers')
    .select('id', 'name', 'account_number', 'mi_addon')
    .orderBy('name')
  const periods = await db
    .from('monthly_rollups')
    .min('period as first')
    .max('period as last')
    .first()
  return {
    customers: customers.map((c: any) => ({
      id: Number(c.id),
      name: c.name,
      accountNumber: c.account_number,
      miAddon: Boolean(c.mi_addon),
    })),
    first: periods?.first ?? null,
    last: periods?.last ?? null,
  }
}
