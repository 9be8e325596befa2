import dns, { type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'

/**
 * Outbound HTTP guard: Tollgate fetches URLs that users type in (HTTPS connectors, later webhooks).
 * Without a guard such a URL reaches whatever the server can reach: the app itself, the database
 * port, cloud metadata (169.254.169.254), the intranet. Every outbound caller:
 *
 *   await assertOutboundAllowed(url)      // before each request and each redirect hop
 *   http.request(url, { lookup: guardedLookup, ... })   // or { agent: guardedAgent(url) }
 *
 * `assertOutboundAllowed` resolves the name and refuses when any address is internal;
 * `guardedLookup` checks again at connect time, so a name that answers a public address
 * first and 127.0.0.1 a moment later (DNS rebinding) still cannot connect.
 *
 * Hosts named in OUTBOUND_ALLOW_HOSTS (comma list: `files.intranet`, `*.corp.example`,
 * `10.1.2.3`, `10.1.0.0/16`) are let through: real intranet suppliers, and the tests' servers on
 * 127.0.0.1. The variable is read on every call, so it can change without a restart.
 */

export class OutboundBlockedError extends Error {
  readonly code = 'E_OUTBOUND_BLOCKED'
}

type Range = { base: bigint; bits: number; size: 32 | 128; label: string }

function v4ToBig(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n)
}

/** An IPv6 text (any valid form, also with a dotted IPv4 tail) as a 128-bit number. */
function v6ToBig(ip: string): bigint {
  let text = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/)
  if (dotted) {
    const v = v4ToBig(dotted[1])
    text =
      text.slice(0, -dotted[1].length) + `${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const headParts = head ? head.split(':') : []
  const tailParts = tail ? tail.split(':') : []
  const missing = 8 - headParts.length - tailParts.length
  const parts =
    tail === undefined ? headParts : [...headParts, ...Array(missing).fill('0'), ...tailParts]
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(Number.parseInt(part || '0', 16)), 0n)
}

function range(cidr: string, label: string): Range {
  const [ip, bits] = cidr.split('/')
  const v6 = ip.includes(':')
  return { base: v6 ? v6ToBig(ip) : v4ToBig(ip), bits: Number(bits), size: v6 ? 128 : 32, label }
}

function inRange(value: bigint, size: 32 | 128, r: Range) {
  if (r.size !== size) return false
  const shift = BigInt(size - r.bits)
  return value >> shift === r.base >> shift
}

const BLOCKED: Range[] = [
  range('0.0.0.0/8', 'unspecified'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'carrier-grade NAT'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local/metadata'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'IETF protocol assignments'),
  range('192.0.2.0/24', 'documentation'),
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'benchmarking'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'),
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('100::/64', 'discard'),
  range('2001:db8::/32', 'documentation'),
  range('fc00::/7', 'unique-local'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'site-local'),
  range('ff00::/8', 'multicast'),
]

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), or null. */
function embeddedV4(value: bigint): bigint | null {
  const low32 = value & 0xffffffffn
  if (value >> 32n === 0xffffn) return low32 // ::ffff:a.b.c.d
  if (value >> 32n === 0n && value > 1n) return low32 // ::a.b.c.d (deprecated "compatible")
  if (value >> 32n === 0x64ff9b0000000000000000n) return low32 // 64:ff9b::/96 NAT64
  if (value >> 112n === 0x2002n) return (value >> 80n) & 0xffffffffn // 2002:AABB:CCDD::/48 6to4
  return null
}

/**
 * Why an IP address may not be reached ("loopback", "private", …), or null when it is public.
 * Text that is not an IP address is refused as "not an IP address".
 */
export function blockedReason(ip: string): string | null {
  const bare = ip.replace(/^\[|\]$/g, '')
  const family = net.isIP(bare.replace(/%.*$/, ''))
  if (family === 0) return 'not an IP address'
  if (family === 4) return BLOCKED.find((r) => inRange(v4ToBig(bare), 32, r))?.label ?? null
  const value = v6ToBig(bare)
  const hit = BLOCKED.find((r) => inRange(value, 128, r))
  if (hit) return hit.label
  const v4 = embeddedV4(value)
  if (v4 === null) return null
  const inner = BLOCKED.find((r) => inRange(v4, 32, r))
  return inner ? `${inner.label} (IPv4 inside IPv6)` : null
}

/** OUTBOUND_ALLOW_HOSTS as a list of lower-case entries. */
export function allowedHosts(): string[] {
  return (process.env.OUTBOUND_ALLOW_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
}

/** Whether a host name or IP literal is on the allow-list (exact name, `*.domain`, IP or CIDR). */
export function isAllowListed(host: string): boolean {
  const h = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
  const family = net.isIP(h)
  for (const entry of allowedHosts()) {
    if (entry.includes('/') && family) {
      const r = range(entry, 'allowed')
      const value = family === 4 ? v4ToBig(h) : v6ToBig(h)
      if (inRange(value, family === 4 ? 32 : 128, r)) return true
    } else if (entry.startsWith('*.')) {
      if (h.endsWith(entry.slice(1))) return true
    } else if (entry.replace(/^\[|\]$/g, '') === h) {
      return true
    } else if (family && net.isIP(entry) && family === net.isIP(entry)) {
      // 127.0.0.1 and ::ffff:127.0.0.1 are the same machine; compare numerically.
      if (
        (family === 4 ? v4ToBig(h) : v6ToBig(h)) ===
        (family === 4 ? v4ToBig(entry) : v6ToBig(entry))
      )
        return true
    }
  }
  return false
}

function refuse(host: string, address: string, reason: string): never {
  const shown = address === host ? host : `${host} (${address})`
  throw new OutboundBlockedError(
    `${shown} is a ${reason} address: Tollgate does not fetch from internal networks. An administrator can allow this host with OUTBOUND_ALLOW_HOSTS.`
  )
}

/**
 * Refuses a URL Tollgate must not fetch: a scheme other than http(s), or a host whose name
 * resolves to any internal address (unless allow-listed). Call it before every request and on
 * every redirect target.
 */
export async function assertOutboundAllowed(url: string | URL): Promise<void> {
  const u = typeof url === 'string' ? new URL(url) : url
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new OutboundBlockedError(`${u.protocol} URLs are not fetched`)
  const host = u.hostname.replace(/^\[|\]$/g, '')
  if (isAllowListed(host)) return
  if (net.isIP(host)) {
    const reason = blockedReason(host)
    if (reason) refuse(host, host, reason)
    return
  }
  let addresses: LookupAddress[]
  try {
    addresses = await dns.promises.lookup(host, { all: true, verbatim: true })
  } catch (error) {
    throw new OutboundBlockedError(
      `${host}: the name does not resolve (${(error as NodeJS.ErrnoException).code ?? 'DNS error'})`
    )
  }
  for (const a of addresses) {
    const reason = blockedReason(a.address)
    if (reason) refuse(host, a.address, reason)
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number
) => void

/**
 * A drop-in `lookup` for net/http/https (option `lookup`): resolves like dns.lookup and fails
 * the connection when an answer is internal and the host is not allow-listed. This is the
 * check that counts, because it vets the very address the socket connects to.
 */
export function guardedLookup(
  hostname: string,
  options: LookupOneOptions | LookupAllOptions | number,
  callback: LookupCallback
): void {
  const opts = typeof options === 'number' ? { family: options } : (options ?? {})
  dns.lookup(hostname, { ...opts, all: true }, (error, addresses) => {
    if (error) return callback(error, '')
    const list = addresses as LookupAddress[]
    if (!isAllowListed(hostname)) {
      for (const a of list) {
        const reason = blockedReason(a.address)
        if (reason) {
          const refused = new OutboundBlockedError(
            `${hostname} (${a.address}) is a ${reason} address: Tollgate does not fetch from internal networks`
          )
          return callback(refused, '')
        }
      }
    }
    if ((opts as LookupAllOptions).all) return callback(null, list)
    callback(null, list[0].address, list[0].family)
  })
}

/** connect-time check for IP literals, which Node connects to without calling `lookup`. */
function checkLiteral(host: string | undefined) {
  const h = (host ?? '').replace(/^\[|\]$/g, '')
  if (net.isIP(h) && !isAllowListed(h)) {
    const reason = blockedReason(h)
    if (reason) refuse(h, h, reason)
  }
}

class GuardedHttpAgent extends http.Agent {
  createConnection(options: any, callback?: any) {
    checkLiteral(options.host)
    return super.createConnection({ ...options, lookup: guardedLookup }, callback)
  }
}

class GuardedHttpsAgent extends https.Agent {
  createConnection(options: any, callback?: any) {
    checkLiteral(options.host)
    return super.createConnection({ ...options, lookup: guardedLookup }, callback)
  }
}

/**
 * An http(s) agent (one connection per request, no keep-alive) whose sockets only ever reach
 * addresses the guard allows, whatever DNS says between the check and the connect.
 * `tls` holds https options such as `ca`.
 */
export function guardedAgent(url: string | URL, tls: https.AgentOptions = {}): http.Agent {
  const u = typeof url === 'string' ? new URL(url) : url
  return u.protocol === 'https:'
    ? new GuardedHttpsAgent({ ...tls, keepAlive: false })
    : new GuardedHttpAgent({ keepAlive: false })
}
