import type Connector from '#models/connector'
import type { SettingField, Transport } from '#connectors/types'
import { FolderTransport } from '#connectors/transports/folder'
import { SftpTransport } from '#connectors/transports/sftp'
import { HttpsTransport } from '#connectors/transports/https'

const PATTERN: SettingField = {
  key: 'pattern',
  label: 'File name pattern',
  default: '*.csv',
  help: 'Which files to import: * stands for any text, e.g. Master*.csv. Default: every .csv file.',
}

/** A credential field of a transport: labelled, with help, write-only. */
export interface CredentialField {
  key: string
  label: string
  type?: 'textarea'
  help?: string
}

/** Transports and the settings the connector form offers for each (credentials are write-only). */
export const TRANSPORTS: {
  name: string
  label: string
  settings: SettingField[]
  credentials: CredentialField[]
}[] = [
  {
    name: 'folder',
    label: 'Folder on this server',
    settings: [
      {
        key: 'path',
        label: 'Folder',
        placeholder: '/srv/tollgate/drop/acme',
        help: 'Full path of the folder the phone system or carrier drops files into. Imported files move to processed/ inside it.',
      },
      PATTERN,
    ],
    credentials: [],
  },
  {
    name: 'sftp',
    label: 'SFTP server',
    settings: [
      {
        key: 'host',
        label: 'Server name',
        placeholder: 'sftp.carrier.example',
        help: 'The SFTP server the supplier gave you (name or IP address).',
      },
      { key: 'port', label: 'Port', type: 'number', default: '22', help: 'Usually 22.' },
      { key: 'username', label: 'User name' },
      {
        key: 'path',
        label: 'Folder on the server',
        default: '.',
        help: 'Where the files wait, e.g. /outgoing/cdr. Default: the login folder.',
      },
      PATTERN,
      {
        key: 'hostFingerprint',
        label: 'Server fingerprint (SHA-256)',
        placeholder: 'SHA256:…',
        help: "The supplier's server key fingerprint. When set, Tollgate refuses to connect to any other server. Ask the supplier for it.",
      },
    ],
    credentials: [
      { key: 'password', label: 'Password', help: 'Either a password or a private key.' },
      {
        key: 'privateKey',
        label: 'Private key (SSH)',
        type: 'textarea',
        help: 'Paste the whole key, from -----BEGIN … to -----END …',
      },
      {
        key: 'passphrase',
        label: 'Key passphrase',
        help: 'Only if the private key is protected by one.',
      },
    ],
  },
  {
    name: 'https',
    label: 'HTTPS download',
    settings: [
      {
        key: 'url',
        label: 'Address (URL)',
        placeholder: 'https://files.carrier.example/Master.csv',
        help: 'The address of the file to download on each poll.',
      },
      {
        key: 'auth',
        label: 'Login method',
        placeholder: 'none, basic or bearer',
        help: 'Leave empty to choose from the credentials given: a token means bearer, a user name means basic.',
      },
      {
        key: 'caCertificate',
        label: 'Trusted CA certificate (PEM, optional)',
        type: 'textarea',
        help: "Only when the supplier's server uses a private certificate authority: paste its CA certificate (-----BEGIN CERTIFICATE----- …). It is trusted besides the usual public authorities.",
      },
    ],
    credentials: [
      { key: 'username', label: 'User name', help: 'For basic login.' },
      { key: 'password', label: 'Password', help: 'For basic login.' },
      {
        key: 'token',
        label: 'Access token',
        help: 'For bearer login (instead of user name and password).',
      },
    ],
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
