import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Finalize now keeps the e-invoice buyer (references, structured address, Peppol address) in
 * `invoices.snapshot.customer` (app/einvoice/buyer_snapshot.ts), so an issued invoice's UBL no longer
 * follows later edits of the customer. Invoices finalized before get it from the customer as it is
 * now: the best record there is of what they were issued to. No schema change: the snapshot is JSON.
 */
export default class extends BaseSchema {
  async up() {
    this.defer(async (db) => {
      const rows = await db
        .from('invoices as i')
        .join('customers as c', 'c.id', 'i.customer_id')
        .where('i.status', 'finalized')
        .select(
          'i.id',
          'i.snapshot',
          'c.buyer_reference',
          'c.po_number',
          'c.address_street',
          'c.address_additional',
          'c.address_city',
          'c.address_postcode',
          'c.address_region',
          'c.address_country',
          'c.endpoint_scheme',
          'c.endpoint_id'
        )
      for (const row of rows) {
        const snapshot =
          typeof row.snapshot === 'string' ? JSON.parse(row.snapshot) : (row.snapshot ?? {})
        if (snapshot.customer?.postal_address) continue
        snapshot.customer = {
          ...(snapshot.customer ?? {}),
          buyer_reference: row.buyer_reference,
          po_number: row.po_number,
          postal_address: {
            street: row.address_street,
            additional: row.address_additional,
            city: row.address_city,
            postcode: row.address_postcode,
            region: row.address_region,
            country: row.address_country,
          },
          endpoint:
            row.endpoint_scheme && row.endpoint_id
              ? { scheme: row.endpoint_scheme, id: row.endpoint_id }
              : null,
        }
        await db
          .from('invoices')
          .where('id', row.id)
          .update({ snapshot: JSON.stringify(snapshot) })
      }
    })
  }

  async down() {
    // The added snapshot keys are harmless to older code, which ignores them.
  }
}
