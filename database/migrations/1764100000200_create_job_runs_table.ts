import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'job_runs'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('job', 64).notNullable()
      // A unique key makes a scheduled unit of work (e.g. billing:2026-10:customer:4) run once.
      table.string('run_key', 191).nullable().unique()
      // running | succeeded | failed
      table.string('status', 16).notNullable()
      table.string('worker', 128).nullable()
      table.text('detail').nullable()
      table.text('error').nullable()
      table.timestamp('started_at').notNullable()
      table.timestamp('finished_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
