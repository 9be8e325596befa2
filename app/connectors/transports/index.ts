import type Connector from '#models/connector'
import type { SettingField, Transport } from '#connectors/types'
import { FolderTransport } from '#connectors/transports/folder'
import { SftpTransport } from '#connectors/transports/sftp'
import { HttpsTransport } from '#connectors/transports/https'

/** A plain text setting labelled with its key. */
const plain = (...keys: string[]): SettingField[] => keys.map((key) => ({ key, label: key }))

/** Transports and the settings the connector form offers for each (credentials are write-only). */
export const TRANSPORTS: { name: string; label: string; settings: SettingField[]; credentials: string[] }[] = [
  { name: 'folder', label: 'Local drop folder', settings: plain('path', 'pattern'), credentials: [] },
  { name: 'sftp', label: 'SFTP', settings: plain('host', 'port', 'username', 'path', 'pattern', 'hostFingerprint'), credentials: ['password', 'privateKey', 'passphrase'] },
  {
    name: 'https',
    label: 'HTTPS download',
    settings: [
      ...plain('url', 'auth'),
      {
        key: 'caCertificate',
        label: 'Trusted CA certificate (PEM, optional)',
        type: 'textarea',
        help: "Only when the supplier's server uses a private certificate authority: paste its CA certificate (-----BEGIN CERTIFICATE----- …). It is trusted besides the usual public authorities.",
      },
    ],
    credentials: ['username', 'password', 'token'],
  },
  { name: 'graph', label: 'Microsoft Graph', settings: [], credentials: [] },
]

export function transportFor(connector: Connector): Transport {
  const s = connector.settings ?? {}
  switch (connector.transport) {
    case 'folder':
      return new FolderTransport(s)
    case 'sftp':
      return new SftpTransport(s, connector.credentials)
    case 'https':
      return new HttpsTransport(s, connector.credentials)
    default:
      throw new Error(`connector ${connector.id} has no file transport ("${connector.transport}")`)
  }
}
