import { bootApp } from './boot_app.js'

/** Proves the bench harness boots the app and reaches the database. */
export async function run() {
  await bootApp()
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const started = process.hrtime.bigint()
  await db.rawQuery('select 1')
  return {
    connection: db.primaryConnectionName,
    roundtrip_ms: Number(process.hrtime.bigint() - started) / 1e6,
  }
}
