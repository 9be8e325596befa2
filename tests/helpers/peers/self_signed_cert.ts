import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/**
 * A fresh self-signed certificate for 127.0.0.1 and localhost (valid one day), made with the
 * system's openssl CLI. The certificate is its own CA: trusting it is what a reseller does
 * with a supplier's private CA.
 */
export async function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-tls-'))
  try {
    const keyPath = join(dir, 'key.pem')
    const certPath = join(dir, 'cert.pem')
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-days',
      '1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ])
    return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
