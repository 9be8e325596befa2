import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Direct Debit through GoCardless (docs/payments.md):
 *   direct_debit_mandates  a customer's GoCardless mandate (entered by id, or from the hosted redirect flow)
 *   direct_debit_payments  one GoCardless payment per invoice, created with an idempotency key
 *   gocardless_events      webhook events already handled (GoCardless retries; each is applied once)
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('direct_debit_mandates', (table) => {
      table.increments('id')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
        .unique()
      // GoCardless ids: MD…, RE… (redirect flow)
      table.string('mandate_id', 64).nullable().unique()
      table.string('redirect_flow_id', 64).nullable()
      table.string('session_token', 64).nullable()
      // pending (redirect flow started) | active | cancelled | failed | expired
      table.string('status', 24).notNullable()
      table.string('scheme', 16).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
    this.schema.createTable('direct_debit_payments', (table) => {
      table.increments('id')
      table
        .integer('invoice_id')
        .unsigned()
        .notNullable()
        .references('invoices.id')
        .onDelete('CASCADE')
        .unique()
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      table.string('mandate_id', 64).notNullable()
      table.string('idempotency_key', 100).notNullable().unique()
      table.string('gc_payment_id', 64).nullable().unique()
      table.bigInteger('amount_minor').notNullable()
      table.string('currency', 3).notNullable()
      table.date('charge_date').notNullable()
      // creating | error | pending_submission | submitted | confirmed | paid_out | failed | charged_back | cancelled
      table.string('status', 24).notNullable()
      // Our payments row, while GoCardless says the money is ours (confirmed / paid out).
      table
        .integer('payment_id')
        .unsigned()
        .nullable()
        .references('payments.id')
        .onDelete('SET NULL')
      table.text('last_error').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
    this.schema.createTable('gocardless_events', (table) => {
      table.increments('id')
      table.string('event_id', 64).notNullable().unique()
      table.string('resource_type', 32).notNullable()
      table.string('action', 48).notNullable()
      table.string('resource_id', 64).nullable()
      table.text('details').nullable()
      table.timestamp('created_at').notNullable()
    })
  }

  async down() {
    for (const t of ['gocardless_events', 'direct_debit_payments', 'direct_debit_mandates'])
      this.schema.dropTable(t)
  }
}
