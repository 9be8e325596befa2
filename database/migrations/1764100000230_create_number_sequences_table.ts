import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'number_sequences'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.string('name', 32).primary()
      table.integer('next_value').notNullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
