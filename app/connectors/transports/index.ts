import type Connector from '#models/connector'
import type { Transport } from '#connectors/types'
import { FolderTransport } from '#connectors/transports/folder'
import { SftpTransport } from '#connectors/transports/sftp'
import { HttpsTransport } from '#connectors/transports/https'

export const TRANSPORTS = [
  { name: 'folder', label: 'Local drop folder', settings: ['path', 'pattern'], credentials: [] as string[] },
  { name: 'sftp', label: 'SFTP', settings: ['host', 'port', 'username', 'path', 'pattern', 'hostFingerprint'], credentials: ['password', 'privateKey', 'passphrase'] },
  { name: 'https', label: 'HTTPS download', settings: ['url', 'auth'], credentials: ['username', 'password', 'token'] },
  { name: 'graph', label: 'Microsoft Graph', settings: [] as string[], credentials: [] as string[] },
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
