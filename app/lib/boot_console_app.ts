import 'reflect-metadata'
import { Ignitor } from '@adonisjs/core'

/**
 * Boots a console-environment AdonisJS app outside `node ace`: in Bree worker
 * threads and in benchmarks. The caller terminates it when done, or the
 * process never exits.
 */
export async function bootConsoleApp(appRoot: URL) {
  const ignitor = new Ignitor(appRoot, {
    importer: (filePath: string) => {
      if (filePath.startsWith('./') || filePath.startsWith('../'))
        return import(new URL(filePath, appRoot).href)
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
  return app
}
