import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The invoice and credit-note sequences exist from the start. Were the first
 * finalize to create its row, two finalizes racing on an empty table would
 * both take gap locks and deadlock on MySQL.
 */
export default class extends BaseSchema {
  async up() {
    this.defer(async (db) => {
      await db.table('number_sequences').multiInsert([
        { name: 'invoice', next_value: 1 },
        { name: 'credit_note', next_value: 1 },
      ])
    })
  }

  async down() {
    this.defer(async (db) => {
      await db.from('number_sequences').whereIn('name', ['invoice', 'credit_note']).delete()
    })
  }
}
