import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'import_errors'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('import_id')
        .unsigned()
        .notNullable()
        .references('imports.id')
        .onDelete('CASCADE')
      table.integer('line').notNullable()
      table.string('field', 64).nullable()
      table.string('message', 500).notNullable()
      table.text('raw').nullable()
      table.index(['import_id', 'line'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
