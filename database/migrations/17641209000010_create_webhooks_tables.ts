import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Webhooks: endpoints a reseller configures, the events Tollgate records (an outbox written in
 * the same transaction as the change it reports), and one delivery per event and endpoint.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('webhook_endpoints', (table) => {
      table.increments('id')
      table.string('url', 2048).notNullable()
      table.string('description', 200).nullable()
      table.text('secret_encrypted').notNullable()
      table.text('events').notNullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
    this.schema.createTable('webhook_events', (table) => {
      table.increments('id')
      table.string('type', 64).notNullable()
      table.text('payload').notNullable()
      table.timestamp('created_at').notNullable()
      table.index(['type', 'id'])
    })
    this.schema.createTable('webhook_deliveries', (table) => {
      table.increments('id')
      table
        .integer('event_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('webhook_events')
        .onDelete('CASCADE')
      table
        .integer('endpoint_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('webhook_endpoints')
        .onDelete('CASCADE')
      /** queued → sending → delivered, or back to queued with a later next_attempt_at, or failed. */
      table.string('status', 16).notNullable()
      table.integer('attempts').unsigned().notNullable().defaultTo(0)
      table.timestamp('next_attempt_at').nullable()
      table.timestamp('lease_until').nullable()
      table.integer('response_status').nullable()
      table.string('last_error', 500).nullable()
      table.integer('replay_of').unsigned().nullable()
      table.timestamp('delivered_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.index(['status', 'next_attempt_at'])
      table.index(['endpoint_id', 'id'])
    })
  }

  async down() {
    this.schema.dropTable('webhook_deliveries')
    this.schema.dropTable('webhook_events')
    this.schema.dropTable('webhook_endpoints')
  }
}
