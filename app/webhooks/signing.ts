import { createHmac, timingSafeEqual } from 'node:crypto'

/*
 * Tollgate signs each webhook body with the endpoint's secret:
 *   Tollgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
 * The timestamp is inside the signed text, so a receiver that checks it (default tolerance
 * five minutes) cannot be fed an old body again.
 */

export function signature(secret: string, timestamp: number, body: string) {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

export function signatureHeader(secret: string, timestamp: number, body: string) {
  return `t=${timestamp},v1=${signature(secret, timestamp, body)}`
}

/** What a receiver does: true when the header matches the body and is recent enough. */
export function verifySignatureHeader(
  secret: string,
  header: string,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300
) {
  const parts = Object.fromEntries(
    header.split(',').map((p) => p.split('=', 2) as [string, string])
  )
  const timestamp = Number(parts.t)
  if (!Number.isInteger(timestamp) || !parts.v1) return false
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false
  const expected = Buffer.from(signature(secret, timestamp, body), 'hex')
  const given = Buffer.from(parts.v1, 'hex')
  return expected.length === given.length && timingSafeEqual(expected, given)
}
