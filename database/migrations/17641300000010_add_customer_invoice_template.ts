import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Which invoice layout a customer gets (the keys of app/lib/invoice_templates.ts). Existing
 * customers keep the full-detail layout they were printed with until now.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('customers', (table) => {
      table.string('invoice_template', 32).notNullable().defaultTo('detailed')
    })
  }

  async down() {
    this.schema.alterTable('customers', (table) => {
      table.dropColumn('invoice_template')
    })
  }
}
