import Handlebars from 'handlebars'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, basename, isAbsolute } from 'node:path'
import app from '@adonisjs/core/services/app'

/**
 * Handlebars templates for documents. Base files live in resources/templates
 * (top level: documents such as invoice.hbs; partials/: pieces such as
 * styles.hbs, wording.hbs). A reseller overrides any of them without code by
 * putting a same-named file in the override folder: TEMPLATE_OVERRIDES (a
 * path, relative to the app root or absolute) or resources/templates/overrides.
 * A logo.png / logo.jpg / logo.svg there is embedded as a data URI.
 *
 * Handlebars escapes every {{value}}; templates never use triple-stash on data.
 */

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
}

export function baseDir() {
  return app.makePath('resources/templates')
}

export function overridesDir() {
  const configured = process.env.TEMPLATE_OVERRIDES
  if (configured) return isAbsolute(configured) ? configured : app.makePath(configured)
  return join(baseDir(), 'overrides')
}

function hbsFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  if (!existsSync(dir)) return out
  for (const file of readdirSync(dir)) {
    const full = join(dir, file)
    if (extname(file) === '.hbs' && statSync(full).isFile()) out.set(basename(file, '.hbs'), full)
  }
  return out
}

export interface TemplateSet {
  render(name: string, data: unknown): string
  logo: string | null
}

let cached: { key: string; set: TemplateSet } | undefined

/** A fingerprint of both folders so edited overrides are picked up without a restart. */
function folderKey() {
  const parts: string[] = []
  for (const dir of [
    baseDir(),
    join(baseDir(), 'partials'),
    overridesDir(),
    join(overridesDir(), 'partials'),
  ]) {
    if (!existsSync(dir)) continue
    for (const file of readdirSync(dir)) {
      const full = join(dir, file)
      const st = statSync(full)
      if (st.isFile()) parts.push(`${full}:${st.mtimeMs}:${st.size}`)
    }
  }
  return parts.join('|')
}

export function loadTemplates(): TemplateSet {
  const key = folderKey()
  if (cached && cached.key === key) return cached.set
  const hb = Handlebars.create()
  registerHelpers(hb)
  const overrides = overridesDir()
  const basePartials = hbsFiles(join(baseDir(), 'partials'))
  const topOverrides = hbsFiles(overrides)
  const partials = new Map(basePartials)
  const documents = hbsFiles(baseDir())
  // overrides/partials/x.hbs and overrides/x.hbs both replace partial x; other
  // top-level override files replace (or add) documents.
  for (const [name, file] of hbsFiles(join(overrides, 'partials'))) partials.set(name, file)
  for (const [name, file] of topOverrides) {
    if (basePartials.has(name)) partials.set(name, file)
    else documents.set(name, file)
  }
  for (const [name, file] of partials) hb.registerPartial(name, readFileSync(file, 'utf8'))
  const compiled = new Map<string, HandlebarsTemplateDelegate>()
  for (const [name, file] of documents)
    compiled.set(name, hb.compile(readFileSync(file, 'utf8'), { strict: false }))

  let logo: string | null = null
  for (const dir of [overrides, baseDir()]) {
    if (!existsSync(dir)) continue
    const file = readdirSync(dir).find(
      (f) => basename(f, extname(f)) === 'logo' && MIME[extname(f).toLowerCase()]
    )
    if (file) {
      logo = `data:${MIME[extname(file).toLowerCase()]};base64,${readFileSync(join(dir, file)).toString('base64')}`
      break
    }
  }

  const set: TemplateSet = {
    logo,
    render(name, data) {
      const template = compiled.get(name)
      if (!template) throw new Error(`No template "${name}" in ${baseDir()}`)
      return template(data)
    },
  }
  cached = { key, set }
  return set
}

function registerHelpers(hb: typeof Handlebars) {
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b)
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean))
  // Multi-line text (addresses, payment details) as escaped lines.
  hb.registerHelper('lines', (text: unknown) =>
    String(text ?? '')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
  )
}
