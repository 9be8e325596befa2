import { rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import env from '#start/env'
import type Customer from '#models/customer'
import { createImportRow, importFile } from '#connectors/import_file'
import { parserForFormat } from '#connectors/registry'

/** Where uploaded files wait for their import (removed once it ends). */
export function manualUploadDir() {
  return app.makePath(env.get('STORAGE_PATH', 'storage'), 'import-uploads')
}

/**
 * Imports a local file by hand (the upload form) in the background of this process, as
 * "run now" polls a connector: the format's parser is built first (the same
 * `parserForFormat` as `usage:import --format`; a broken mapping profile throws an
 * ImportFailure here, before anything is recorded), then the import row is created as
 * `pending` so the imports pages show it at once, and the import fills it in, progress
 * included. The file is removed when the import ends, whatever the outcome. Without a
 * customer the upload serves all customers (each record is routed).
 * Returns the import's id.
 */
export async function importUploadInBackground(opts: {
  path: string
  sourceName: string
  customer: Customer | null
  format: string
}): Promise<number> {
  const { sourceName, customer, format } = opts
  const parser = await parserForFormat(format, { customer, settings: {} })
  const importId = await createImportRow({
    connector_id: null,
    customer_id: customer?.id ?? null,
    source_name: sourceName.slice(0, 255),
    format: format.slice(0, 64),
    // Filled in by importFile once the file is hashed.
    sha256: '',
    status: 'pending',
  })
  // Named after its import from now on, so a file left by a killed process is found and removed (recoverImports).
  const path = join(dirname(opts.path), `${importId}-${basename(opts.path)}`)
  await rename(opts.path, path)
  setImmediate(async () => {
    try {
      await importFile({ path, sourceName, customer, format, parser, importId })
    } catch (error) {
      // importFile records its own failures; this is for what escapes it (e.g. the file vanished).
      logger.error({ err: error, importId }, 'background import failed')
      const stamp = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
      await db
        .from('imports')
        .where('id', importId)
        .whereIn('status', ['pending', 'running'])
        .update({
          status: 'failed',
          error_message: `import failed: ${String((error as Error)?.message ?? error).slice(0, 500)}`,
          finished_at: stamp,
          updated_at: stamp,
        })
        .catch((e) => logger.error({ err: e, importId }, 'could not record the failed import'))
    } finally {
      await rm(path, { force: true })
    }
  })
  return importId
}
