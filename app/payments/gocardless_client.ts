import { randomUUID } from 'node:crypto'

/**
 * Plain HTTP against GoCardless's API (https://api.gocardless.com, or the sandbox): bearer token,
 * `GoCardless-Version: 2015-07-06`, JSON bodies wrapped in the resource name, an `Idempotency-Key`
 * on every create. The token comes from GOCARDLESS_ACCESS_TOKEN and is never logged or returned.
 */

export const GOCARDLESS_VERSION = '2015-07-06'

export class GoCardlessError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly type: string | null,
    readonly errors: {
      field?: string
      message?: string
      reason?: string
      links?: Record<string, string>
    }[] = []
  ) {
    super(message)
  }
}

export interface GoCardlessConfig {
  baseUrl: string
  accessToken: string
  webhookSecret: string
}

export function gocardlessConfig(): GoCardlessConfig | null {
  const accessToken = process.env.GOCARDLESS_ACCESS_TOKEN ?? ''
  if (!accessToken) return null
  return {
    baseUrl: (process.env.GOCARDLESS_API_URL || 'https://api.gocardless.com').replace(/\/+$/, ''),
    accessToken,
    webhookSecret: process.env.GOCARDLESS_WEBHOOK_SECRET ?? '',
  }
}

export async function gcRequest<T = any>(
  config: GoCardlessConfig,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  idempotencyKey?: string
): Promise<T> {
  const headers: Record<string, string> = {
    'Authorization': `Bearer ${config.accessToken}`,
    'GoCardless-Version': GOCARDLESS_VERSION,
    'Accept': 'application/json',
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method === 'POST') headers['Idempotency-Key'] = idempotencyKey ?? randomUUID()
  let response: Response
  try {
    response = await fetch(`${config.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    })
  } catch (error: any) {
    throw new GoCardlessError(
      `GoCardless could not be reached: ${error?.cause?.code ?? error?.message}`,
      0,
      'network'
    )
  }
  const text = await response.text()
  let json: any = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = null
  }
  if (response.ok) return json as T
  const error = json?.error ?? {}
  const detail = (error.errors ?? [])
    .map((e: any) => (e.field ? `${e.field} ${e.message}` : e.message))
    .filter(Boolean)
    .join('; ')
  throw new GoCardlessError(
    `GoCardless ${response.status} ${error.type ?? ''}: ${error.message ?? response.statusText}${detail ? ` (${detail})` : ''}`.replace(
      /\s+/g,
      ' '
    ),
    response.status,
    error.type ?? null,
    error.errors ?? []
  )
}

/** The id of the resource an idempotency key already created (GoCardless answers 409 idempotent_creation_conflict). */
export function conflictingResourceId(error: unknown): string | null {
  if (!(error instanceof GoCardlessError) || error.status !== 409) return null
  return (
    error.errors.find((e) => e.reason === 'idempotent_creation_conflict')?.links
      ?.conflicting_resource_id ?? null
  )
}
