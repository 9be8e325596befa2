import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Getting paid (docs/payments.md describes every column for the accounts exports and webhooks
 * that read these tables). All money is in minor units of the customer's currency.
 *
 *   payments                  money received from a customer (by hand, a bank statement line, Direct Debit)
 *   payment_allocations       payment → invoice, amount; payment.amount − Σ allocations is unallocated credit
 *   credit_note_applications  credit note → invoice, amount; the rest of a note is account credit
 *   bank_statement_profiles   which CSV column holds date / amount / reference / description
 *   bank_statement_imports    one uploaded statement file
 *   bank_statement_lines      one line of a statement; dedupe_key makes a re-import add nothing
 *   dunning_reminders         one reminder email per invoice and schedule step (sent at most once)
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('bank_statement_profiles', (table) => {
      table.increments('id')
      table.string('name', 100).notNullable().unique()
      table.string('date_column', 100).notNullable()
      table.string('amount_column', 100).notNullable()
      table.string('reference_column', 100).notNullable()
      table.string('description_column', 100).nullable()
      // Luxon format, e.g. dd/MM/yyyy
      table.string('date_format', 32).notNullable().defaultTo('dd/MM/yyyy')
      table.string('delimiter', 1).notNullable().defaultTo(',')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })

    this.schema.createTable('bank_statement_imports', (table) => {
      table.increments('id')
      table
        .integer('profile_id')
        .unsigned()
        .nullable()
        .references('bank_statement_profiles.id')
        .onDelete('SET NULL')
      table.string('filename', 255).notNullable()
      table.string('sha256', 64).notNullable()
      table.integer('lines').notNullable().defaultTo(0)
      table.integer('new_lines').notNullable().defaultTo(0)
      table.integer('duplicates').notNullable().defaultTo(0)
      table.integer('matched').notNullable().defaultTo(0)
      table.integer('unmatched').notNullable().defaultTo(0)
      table.integer('user_id').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })

    this.schema.createTable('payments', (table) => {
      table.increments('id')
      table
        .integer('customer_id')
        .unsigned()
        .notNullable()
        .references('customers.id')
        .onDelete('CASCADE')
      table.date('received_on').notNullable()
      table.bigInteger('amount_minor').notNullable()
      table.string('currency', 3).notNullable()
      // bank_transfer | card | cheque | cash | direct_debit | other
      table.string('method', 16).notNullable()
      table.string('reference', 140).nullable()
      table.string('note', 500).nullable()
      // manual | bank_statement | direct_debit
      table.string('source', 16).notNullable().defaultTo('manual')
      table.integer('user_id').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.index(['customer_id', 'received_on'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })

    this.schema.createTable('bank_statement_lines', (table) => {
      table.increments('id')
      table
        .integer('import_id')
        .unsigned()
        .notNullable()
        .references('bank_statement_imports.id')
        .onDelete('CASCADE')
      table.integer('line_number').notNullable()
      table.date('booked_on').notNullable()
      table.bigInteger('amount_minor').notNullable()
      table.string('reference', 255).notNullable().defaultTo('')
      table.string('description', 500).notNullable().defaultTo('')
      // sha256 of date|amount|reference|description|n-th such line in its file
      table.string('dedupe_key', 64).notNullable().unique()
      // matched | unmatched | allocated | ignored
      table.string('status', 16).notNullable()
      table
        .integer('payment_id')
        .unsigned()
        .nullable()
        .references('payments.id')
        .onDelete('SET NULL')
      table.index(['status'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })

    this.schema.createTable('payment_allocations', (table) => {
      table.increments('id')
      table
        .integer('payment_id')
        .unsigned()
        .notNullable()
        .references('payments.id')
        .onDelete('CASCADE')
      table
        .integer('invoice_id')
        .unsigned()
        .notNullable()
        .references('invoices.id')
        .onDelete('CASCADE')
      table.bigInteger('amount_minor').notNullable()
      table.index(['invoice_id'])
      table.timestamp('created_at').notNullable()
    })

    this.schema.createTable('credit_note_applications', (table) => {
      table.increments('id')
      table
        .integer('credit_note_id')
        .unsigned()
        .notNullable()
        .references('credit_notes.id')
        .onDelete('CASCADE')
      table
        .integer('invoice_id')
        .unsigned()
        .notNullable()
        .references('invoices.id')
        .onDelete('CASCADE')
      table.bigInteger('amount_minor').notNullable()
      table.index(['invoice_id'])
      table.timestamp('created_at').notNullable()
    })

    this.schema.createTable('dunning_reminders', (table) => {
      table.increments('id')
      table
        .integer('invoice_id')
        .unsigned()
        .notNullable()
        .references('invoices.id')
        .onDelete('CASCADE')
      table.integer('step').notNullable()
      table.integer('days_after_due').notNullable()
      table.string('to_address', 254).notNullable()
      // queued | sending | sent | failed | cancelled (paid before it went)
      table.string('status', 16).notNullable().defaultTo('queued')
      table.integer('attempts').notNullable().defaultTo(0)
      table.bigInteger('balance_minor').notNullable()
      table.string('message_id', 255).nullable()
      table.text('last_error').nullable()
      table.timestamp('next_attempt_at').nullable()
      table.timestamp('sent_at').nullable()
      table.unique(['invoice_id', 'step'])
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })

    this.schema.alterTable('customers', (table) => {
      // Set by dunning after the last step when the setting asks for it; the portal refuses meanwhile.
      table.timestamp('portal_suspended_at').nullable()
    })

    // Credit notes issued before payments existed settle their own invoice (each is at most its net).
    this.defer(async (client) => {
      const notes = await client
        .from('credit_notes')
        .select('id', 'invoice_id', 'total_minor', 'created_at')
      const rows = notes.map((n: any) => ({
        credit_note_id: n.id,
        invoice_id: n.invoice_id,
        amount_minor: n.total_minor,
        created_at: n.created_at,
      }))
      for (let i = 0; i < rows.length; i += 500)
        await client.table('credit_note_applications').multiInsert(rows.slice(i, i + 500))
    })
  }

  async down() {
    this.schema.alterTable('customers', (table) => table.dropColumn('portal_suspended_at'))
    for (const t of [
      'dunning_reminders',
      'credit_note_applications',
      'payment_allocations',
      'bank_statement_lines',
      'payments',
      'bank_statement_imports',
      'bank_statement_profiles',
    ]) {
      this.schema.dropTable(t)
    }
  }
}
