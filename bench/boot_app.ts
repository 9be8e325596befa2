/*
 * Boots the AdonisJS application once for benchmarks that need the database,
 * the drive or the mailer. DB_CONNECTION etc. come from the environment / .env.
 */
import 'reflect-metadata'
import { Ignitor } from '@adonisjs/core'
import type { ApplicationService } from '@adonisjs/core/types'

let booted: ApplicationService | undefined

export async function bootApp(): Promise<ApplicationService> {
  if (booted) return booted
  const appRoot = new URL('../', import.meta.url)
  const ignitor = new Ignitor(appRoot, {
    importer: (filePath: string) => {
      if (filePath.startsWith('./') || filePath.startsWith('../')) {
        return import(new URL(filePath, appRoot).href)
      }
      return import(filePath)
    },
  })
  const app = ignitor.createApp('console')
  app.booting(async () => {
    await import('#start/env')
  })
  await app.init()
  await app.boot()
  await app.start(() => {})
  booted = app as ApplicationService
  return booted
}
