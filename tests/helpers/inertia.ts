import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'

/** Inertia's asset version as the server computes it at boot: md5 of the Vite manifest, else '1'. */
function assetsVersion() {
  try {
    return createHash('md5')
      .update(readFileSync(app.makePath('public/assets/.vite/manifest.json'), 'utf-8'))
      .digest('hex')
  } catch {
    return '1'
  }
}

/** Headers that make a page answer with its Inertia JSON (component and props) instead of HTML. */
export const inertiaHeaders = { 'X-Inertia': 'true', 'X-Inertia-Version': assetsVersion() }
