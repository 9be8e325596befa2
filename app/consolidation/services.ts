import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { CountryCode } from 'libphonenumber-js'
import { normaliseNumber, normaliseUpn } from '#lib/identifiers'
import Service, { type ServiceKind, SERVICE_KINDS } from '#models/service'

export const KIND_LABELS: Record<ServiceKind, string> = {
  mobile: 'Mobile number',
  ddi: 'Phone number (DDI)',
  extension: 'Extension',
  sim: 'SIM (ICCID)',
  m365_user: 'Microsoft 365 user',
  device: 'Device',
}

/**
 * The stored form of an identifier: E.164 for numbers, bare digits for extensions and SIMs,
 * lower-case UPN for Microsoft 365 users. Null when the value cannot be that kind.
 */
export function normaliseIdentifier(
  kind: ServiceKind,
  raw: string,
  region?: CountryCode
): string | null {
  const text = String(raw ?? '').trim()
  if (!text) return null
  switch (kind) {
    case 'mobile':
    case 'ddi': {
      const n = normaliseNumber(text, region)
      return n && n.startsWith('+') ? n : null
    }
    case 'extension':
    case 'sim': {
      const digits = text.replace(/[\s-]/g, '')
      return /^\d{1,22}$/.test(digits) ? digits : null
    }
    case 'm365_user': {
      const upn = normaliseUpn(text)
      return /^[^\s@]+@[^\s@]+$/.test(upn) ? upn : null
    }
    case 'device':
      return text.slice(0, 254)
  }
}

/** Guesses the kind of an identifier seen on usage records (for creating services from them). */
export function guessKind(identifier: string): ServiceKind {
  if (identifier.includes('@')) return 'm365_user'
  if (identifier.startsWith('+447')) return 'mobile'
  if (identifier.startsWith('+')) return 'ddi'
  if (/^89\d{16,20}$/.test(identifier)) return 'sim'
  if (/^\d{1,8}$/.test(identifier)) return 'extension'
  return 'device'
}

export function isServiceKind(kind: string): kind is ServiceKind {
  return (SERVICE_KINDS as readonly string[]).includes(kind)
}

/** The customer's service for an identifier, created when missing. */
export async function findOrCreateService(
  customerId: number,
  kind: ServiceKind,
  identifier: string,
  trx: TransactionClientContract,
  label: string | null = null
) {
  const existing = await Service.query({ client: trx })
    .where('customer_id', customerId)
    .where('identifier', identifier)
    .orderBy('id')
    .first()
  if (existing) return { service: existing, created: false }
  const service = await Service.create({ customerId, kind, identifier, label }, { client: trx })
  return { service, created: true }
}
