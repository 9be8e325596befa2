/**
 * Words a billing clerk understands for what goes wrong when Tollgate reaches a supplier's server,
 * with the technical text kept beside it (pages show it behind a "technical detail" toggle).
 * Pure: reads the error's code and message only.
 */

export interface ExplainedError {
  /** what happened and what to check, in plain words */
  message: string
  /** the original error text, for whoever looks after the server */
  detail: string
}

type Where = {
  host?: string | null
  port?: string | number | null
  path?: string | null
  url?: string | null
}

function place(where: Where) {
  if (where.url) return where.url
  if (where.host) return where.port ? `${where.host} (port ${where.port})` : where.host
  return 'the server'
}

const RULES: {
  test: (code: string, text: string) => boolean
  say: (w: Where, text: string) => string
}[] = [
  {
    test: (c, t) => c === 'ECONNREFUSED' || t.includes('ECONNREFUSED'),
    say: (w) =>
      `Nothing answered at ${place(w)}. Check the server name and port, and that the supplier's server is running.`,
  },
  {
    test: (c, t) => c === 'ENOTFOUND' || c === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(t),
    say: (w) =>
      `The server name "${w.host ?? w.url ?? ''}" could not be found. Check it for typing mistakes.`,
  },
  {
    test: (c, t) =>
      c === 'ETIMEDOUT' ||
      c === 'ECONNRESET' ||
      /ETIMEDOUT|ECONNRESET/.test(t) ||
      /timed? ?out/i.test(t),
    say: (w) =>
      `${place(w)} did not answer in time. The address may be wrong, or a firewall may block Tollgate.`,
  },
  {
    test: (c, t) => c === 'EHOSTUNREACH' || c === 'ENETUNREACH' || /unreachable/i.test(t),
    say: (w) => `${place(w)} cannot be reached from this server (no network route).`,
  },
  {
    test: (_c, t) =>
      /does not match the connector's hostFingerprint|host key .*does not match/i.test(t),
    say: (w) =>
      `The server at ${place(w)} is not the one this connector was set up for: its fingerprint has changed. Ask the supplier whether they replaced the server before you update the fingerprint. Nothing was sent.`,
  },
  {
    test: (_c, t) =>
      /authentication methods failed|auth(entication)? failed|permission denied \(publickey|login incorrect|invalid credentials|AADSTS7000215|invalid_client/i.test(
        t
      ),
    say: () =>
      'The server turned down the user name, password or key. Check the credentials with the supplier.',
  },
  {
    test: (_c, t) => /\b401\b|unauthori[sz]ed/i.test(t),
    say: () =>
      'The server asked for a login and did not accept the one given. Check the user name and password or token.',
  },
  {
    test: (_c, t) => /\b403\b|forbidden/i.test(t),
    say: () => 'The server accepted the login but does not allow access to this file or folder.',
  },
  {
    test: (_c, t) => /\b404\b|not found/i.test(t) && !/ENOENT|ENOTFOUND/.test(t),
    say: (w) => `Nothing was found at ${place(w)}. Check the address or folder.`,
  },
  {
    test: (c, t) => c === 'ENOENT' || /ENOENT|no such file/i.test(t),
    say: (w) =>
      `The folder ${w.path ? `"${w.path}" ` : ''}does not exist. Check the folder setting.`,
  },
  {
    test: (c, t) => c === 'EACCES' || c === 'EPERM' || /EACCES|EPERM|permission denied/i.test(t),
    say: (w) =>
      `Tollgate is not allowed to read ${w.path ? `"${w.path}"` : 'the folder'}. Ask whoever runs the server to give it access.`,
  },
  {
    test: (c, t) => /CERT|certificate|self[- ]signed|UNABLE_TO_VERIFY/i.test(c + ' ' + t),
    say: () =>
      "The server's security certificate is not trusted. If the supplier uses a private certificate authority, paste its CA certificate into the connector's settings.",
  },
  {
    test: (_c, t) => /required/i.test(t),
    say: (_w, t) => `Some settings are missing: ${t.replace(/^error:\s*/i, '')}.`,
  },
]

export function explainConnectorError(error: unknown, where: Where = {}): ExplainedError {
  const err = error as { code?: unknown; message?: unknown } | null
  const code = typeof err?.code === 'string' ? err.code : ''
  const detail = (typeof err?.message === 'string' && err.message) || String(error)
  const rule = RULES.find((r) => r.test(code, detail))
  return {
    message: rule ? rule.say(where, detail) : `The connection test failed: ${detail}`,
    detail,
  }
}
