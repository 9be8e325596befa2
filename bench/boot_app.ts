/*
 * Boots the AdonisJS application once for benchmarks that need the database,
 * the drive or the mailer. DB_CONNECTION etc. come from the environment / .env.
 */
import type { ApplicationService } from '@adonisjs/core/types'
import { bootConsoleApp } from '#lib/boot_console_app'

let booted: ApplicationService | undefined

export async function bootApp(): Promise<ApplicationService> {
  booted ??= (await bootConsoleApp(new URL('../', import.meta.url))) as ApplicationService
  return booted
}
