/*
 * Databases for benchmarks: each benchmark keeps its own MySQL database so
 * runs never disturb each other or the test database.
 */
import type { ApplicationService } from '@adonisjs/core/types'

export async function createMysqlDatabase(name: string) {
  const mysql = (await import('mysql2/promise')).default
  const connection = await mysql.createConnection({
    host: process.env.DB_HOST || '127.0.0.1',
    port: Number(process.env.DB_PORT || 3306),
    user: process.env.DB_USER || 'root',
    password: process.env.DB_PASSWORD || '',
  })
  await connection.query(
    `CREATE DATABASE IF NOT EXISTS \`${name.replace(/`/g, '')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`
  )
  await connection.end()
}

/** Runs pending migrations without the server-wide migration lock (a bench database is private). */
export async function migrate(
  app: ApplicationService,
  options: { connectionName?: string; dropFirst?: boolean } = {}
) {
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { MigrationRunner } = await import('@adonisjs/lucid/migration')
  if (options.dropFirst) await db.connection(options.connectionName).dropAllTables()
  const runner = new MigrationRunner(db, app, {
    direction: 'up',
    disableLocks: true,
    connectionName: options.connectionName,
  })
  await runner.run()
  if (runner.error) throw runner.error
}
