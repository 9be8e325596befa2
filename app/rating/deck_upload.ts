import app from '@adonisjs/core/services/app'
import env from '#start/env'
import { randomUUID } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseDeckFile, type DeckLineError } from '#rating/deck_csv'
import { deckChanges, importDeck, type DeckChanges, type ImportDeckResult } from '#rating/tariffs'
import { rateView, type RateView, type TariffHeaderView } from '#rating/tariff_views'

/**
 * The two-step rate deck upload of the tariff page: the file is kept under a random
 * token and every line validated (preview), then imported all or nothing when the
 * user confirms. The token is the only name the browser ever sends back.
 */

const PREVIEW_ROWS = 20

export function uploadDir() {
  return app.makePath(env.get('STORAGE_PATH', 'storage'), 'tariff-uploads')
}

/** What the upload form hands over: an uploaded file the body parser already accepted. */
export interface UploadedDeck {
  clientName: string
  move(dir: string, options: { name: string }): Promise<void>
}

export type TariffPreviewProps = {
  tariff: { id: number; name: string }
  token: string
  fileName: string
  rows: (RateView & { line: number })[]
  valid: number
  errors: DeckLineError[]
  errorCount: number
  /** what the import would change, against the tariff's current deck; null while the file has errors */
  changes: DeckChanges | null
}

/** Step 1: keeps the file and validates every line; the page shows the first rows and the errors. */
export async function stageDeck(
  tariff: TariffHeaderView,
  file: UploadedDeck
): Promise<TariffPreviewProps> {
  const token = randomUUID()
  await mkdir(uploadDir(), { recursive: true })
  await file.move(uploadDir(), { name: `${token}.csv` })
  const fileName = file.clientName
  // Every row is kept to compare with the deck (the import reads them all the same way).
  const parsed = await parseDeckFile(join(uploadDir(), `${token}.csv`), { displayName: fileName })
  return {
    tariff: { id: tariff.id, name: tariff.name },
    token,
    fileName,
    rows: parsed.rows
      .slice(0, PREVIEW_ROWS)
      .map((r) => ({ line: r.line, ...rateView({ id: 0, ...r }) })),
    valid: parsed.valid,
    errors: parsed.errors,
    errorCount: parsed.errorCount,
    changes: parsed.errorCount ? null : await deckChanges(tariff.id, parsed.rows),
  }
}

/**
 * Step 2: imports the staged file (throws DeckImportError naming file, line and field);
 * null when the token is not one of ours or the file has gone.
 */
export async function importStagedDeck(
  tariffId: number,
  staged: { token: string; fileName: string; replace: boolean },
  userId: number | null
): Promise<ImportDeckResult | null> {
  const path = join(uploadDir(), `${staged.token}.csv`)
  if (!/^[0-9a-f-]{36}$/.test(staged.token) || !existsSync(path)) return null
  const result = await importDeck({
    path,
    displayName: staged.fileName,
    tariffId,
    replace: staged.replace,
    userId,
  })
  await rm(path, { force: true })
  return result
}
