import { createHash } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import { audit } from '#lib/audit'
import { getSettings, setSettings } from '#billing/settings'
import { sanitiseSvg } from '#documents/svg_sanitise'

/**
 * The reseller's look, set in the browser: logo (PNG or sanitised SVG), brand colours, invoice
 * footer wording, bank details and the email sender name. Kept in the settings table (`branding.*`
 * keys; bank details are billing's `payment_details`), the logo file on the drive. Invoices, the
 * portal, its login page and emails read it through `branding()`.
 */

export const LOGO_MAX_BYTES = 512 * 1024
const HEX = /^#[0-9a-f]{6}$/i
const PNG_MAGIC = Buffer.from('89504e470d0a1a0a', 'hex')

const KEYS = {
  logo: 'branding.logo',
  colour: 'branding.colour',
  lightColour: 'branding.light_colour',
  footer: 'branding.footer',
  senderName: 'branding.sender_name',
} as const

export interface Branding {
  /** the reseller's name (the supplier on invoices) */
  name: string
  /** drive key of the logo, or null */
  logoKey: string | null
  logoMime: string | null
  colour: string | null
  lightColour: string | null
  footer: string
  senderName: string
  paymentDetails: string
}

export interface BrandingInput {
  colour?: string | null
  lightColour?: string | null
  footer?: string | null
  senderName?: string | null
  paymentDetails?: string | null
}

export class BrandingError extends Error {
  constructor(
    public field: string,
    message: string
  ) {
    super(message)
  }
}

async function readKeys(): Promise<Record<string, string | null>> {
  const rows = await db.from('settings').whereIn('key', Object.values(KEYS)).select('key', 'value')
  return Object.fromEntries(rows.map((r: any) => [r.key, r.value]))
}

export async function branding(): Promise<Branding> {
  const [values, settings] = await Promise.all([readKeys(), getSettings()])
  const logoKey = values[KEYS.logo] || null
  return {
    name: settings.supplier_name,
    logoKey,
    logoMime: logoKey ? (logoKey.endsWith('.svg') ? 'image/svg+xml' : 'image/png') : null,
    colour: values[KEYS.colour] || null,
    lightColour: values[KEYS.lightColour] || null,
    footer: values[KEYS.footer] ?? '',
    senderName: values[KEYS.senderName] || settings.supplier_name,
    paymentDetails: settings.payment_details,
  }
}

/** The logo's bytes, or null when none was uploaded (or the file went missing). */
export async function logoBytes(b?: Branding): Promise<{ bytes: Buffer; mime: string } | null> {
  const current = b ?? (await branding())
  if (!current.logoKey || !(await drive.use().exists(current.logoKey))) return null
  return {
    bytes: Buffer.from(await drive.use().getBytes(current.logoKey)),
    mime: current.logoMime!,
  }
}

/** The logo as a data URI for documents (PDF rendering loads nothing from outside). */
export async function logoDataUri(b?: Branding): Promise<string | null> {
  const logo = await logoBytes(b)
  return logo ? `data:${logo.mime};base64,${logo.bytes.toString('base64')}` : null
}

function checkColour(field: string, value: string | null | undefined) {
  if (!value) return null
  if (!HEX.test(value)) throw new BrandingError(field, 'Choose a colour as #RRGGBB, e.g. #0f766e')
  return value.toLowerCase()
}

/** A PNG as is, an SVG sanitised; anything else or too big is refused with the reason. */
export function checkLogo(
  bytes: Buffer,
  fileName: string
): { data: Buffer; ext: 'png' | 'svg'; removed: string[] } {
  if (bytes.length === 0) throw new BrandingError('logo', 'The file is empty')
  if (bytes.length > LOGO_MAX_BYTES)
    throw new BrandingError(
      'logo',
      `The logo is ${Math.ceil(bytes.length / 1024)} KB; the limit is ${LOGO_MAX_BYTES / 1024} KB`
    )
  if (bytes.subarray(0, 8).equals(PNG_MAGIC)) return { data: bytes, ext: 'png', removed: [] }
  const text = bytes.toString('utf8')
  if (/\.svg$/i.test(fileName) || /<svg[\s>]/i.test(text.slice(0, 2000))) {
    try {
      const { svg, removed } = sanitiseSvg(text)
      return { data: Buffer.from(svg, 'utf8'), ext: 'svg', removed }
    } catch (error) {
      throw new BrandingError('logo', (error as Error).message)
    }
  }
  throw new BrandingError('logo', 'The logo must be a PNG or SVG image')
}

/** Saves colours, wording, bank details and sender name; audited with what changed. */
export async function saveBranding(input: BrandingInput, userId: number | null) {
  const before = await branding()
  const values = {
    [KEYS.colour]: checkColour('colour', input.colour),
    [KEYS.lightColour]: checkColour('lightColour', input.lightColour),
    [KEYS.footer]: (input.footer ?? '').trim().slice(0, 1000),
    [KEYS.senderName]: (input.senderName ?? '').trim().slice(0, 120),
  }
  const paymentDetails = (input.paymentDetails ?? before.paymentDetails).trim()
  await db.transaction(async (trx) => {
    const rows = Object.entries(values).map(([key, value]) => ({ key, value }))
    await trx.knexQuery().table('settings').insert(rows).onConflict('key').merge()
    await setSettings({ payment_details: paymentDetails }, trx)
    const changes: Record<string, { from: unknown; to: unknown }> = {}
    const compare: [string, unknown, unknown][] = [
      ['colour', before.colour, values[KEYS.colour]],
      ['lightColour', before.lightColour, values[KEYS.lightColour]],
      ['footer', before.footer, values[KEYS.footer]],
      [
        'senderName',
        before.senderName === before.name ? '' : before.senderName,
        values[KEYS.senderName],
      ],
      ['paymentDetails', before.paymentDetails, paymentDetails],
    ]
    for (const [k, from, to] of compare) if ((from ?? '') !== (to ?? '')) changes[k] = { from, to }
    await audit({ userId, action: 'branding.update', subjectType: 'settings', changes }, trx)
  })
}

/** Stores a new logo (content-addressed, so a cached old one never shows) and records it. */
export async function saveLogo(bytes: Buffer, fileName: string, userId: number | null) {
  const { data, ext, removed } = checkLogo(bytes, fileName)
  const key = `branding/logo-${createHash('sha256').update(data).digest('hex').slice(0, 16)}.${ext}`
  await drive.use().put(key, data)
  await db.transaction(async (trx) => {
    await trx
      .knexQuery()
      .table('settings')
      .insert({ key: KEYS.logo, value: key })
      .onConflict('key')
      .merge()
    await audit(
      {
        userId,
        action: 'branding.logo_uploaded',
        subjectType: 'settings',
        changes: { file: fileName, bytes: data.length, removedFromSvg: removed },
      },
      trx
    )
  })
  return { key, removed }
}

export async function removeLogo(userId: number | null) {
  await db.transaction(async (trx) => {
    await trx.from('settings').where('key', KEYS.logo).delete()
    await audit({ userId, action: 'branding.logo_removed', subjectType: 'settings' }, trx)
  })
}
