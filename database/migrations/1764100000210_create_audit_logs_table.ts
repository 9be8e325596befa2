import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'audit_logs'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.integer('user_id').unsigned().nullable()
      table.string('action', 64).notNullable()
      table.string('subject_type', 64).notNullable()
      table.integer('subject_id').unsigned().nullable()
      table.text('changes').nullable()
      table.timestamp('created_at').notNullable()
      table.index(['subject_type', 'subject_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
