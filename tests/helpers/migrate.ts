import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { MigrationRunner } from '@adonisjs/lucid/migration'

/**
 * Drops and re-migrates the test database before a run. MySQL's GET_LOCK name
 * used by the migrator is server-wide, so locks are disabled: a test database
 * is private to one run, and parallel runs on one server must not block each other.
 */
export async function freshTestDatabase() {
  await db.connection().dropAllTables()
  const runner = new MigrationRunner(db, app, { direction: 'up', disableLocks: true })
  await runner.run()
  if (runner.error) throw runner.error
}

/**
 * Empties every table between tests (the migrations bookkeeping excepted).
 * Unlike testUtils.db().truncate() it does not re-run migrations first, so it
 * takes no server-wide migration lock.
 */
export async function truncateAll() {
  const connection = db.connection()
  const tables = (await connection.getAllTables()).filter(
    (table) => !['adonis_schema', 'adonis_schema_versions'].includes(table)
  )
  if (connection.dialect.name === 'mysql') {
    await connection.rawQuery('SET FOREIGN_KEY_CHECKS = 0')
    for (const table of tables) await connection.rawQuery('TRUNCATE TABLE ??', [table])
    await connection.rawQuery('SET FOREIGN_KEY_CHECKS = 1')
  } else {
    for (const table of tables) await connection.truncate(table, true)
  }
}
