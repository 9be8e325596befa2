import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Events that happen once per thing (an invoice becomes paid, an invoice becomes overdue) carry a
 * key such as `invoice.paid:42`; the unique key is the claim, so a second payment, a reversal and
 * re-payment, or two schedulers at once can never record the event twice (app/webhooks/once.ts).
 */
export default class extends BaseSchema {
  protected tableName = 'webhook_event_keys'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.string('event_key', 191).primary()
      table.integer('event_id').unsigned().nullable()
      table.timestamp('created_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
