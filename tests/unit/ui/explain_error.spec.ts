import { test } from '@japa/runner'
import { explainConnectorError } from '#connectors/explain_error'

const err = (message: string, code?: string) =>
  Object.assign(new Error(message), code ? { code } : {})

test.group('connector errors in words a clerk understands', () => {
  test('network failures name the place and what to check; the raw text stays as detail', ({
    assert,
  }) => {
    const refused = explainConnectorError(
      err('getConnection: connect ECONNREFUSED 127.0.0.1:22', 'ECONNREFUSED'),
      { host: 'sftp.carrier.example', port: 22 }
    )
    assert.equal(
      refused.message,
      "Nothing answered at sftp.carrier.example (port 22). Check the server name and port, and that the supplier's server is running."
    )
    assert.equal(refused.detail, 'getConnection: connect ECONNREFUSED 127.0.0.1:22')
    assert.include(
      explainConnectorError(err('getaddrinfo ENOTFOUND sftp.nowhere.example'), {
        host: 'sftp.nowhere.example',
      }).message,
      'could not be found'
    )
    assert.include(
      explainConnectorError(err('connect ETIMEDOUT 10.0.0.1:22')).message,
      'did not answer in time'
    )
  })

  test('credentials, fingerprints, folders and certificates', ({ assert }) => {
    assert.include(
      explainConnectorError(err('All configured authentication methods failed')).message,
      'turned down the user name, password or key'
    )
    assert.include(
      explainConnectorError(
        err(
          "the host key of h (SHA256:x) does not match the connector's hostFingerprint (SHA256:y); nothing was sent"
        )
      ).message,
      'fingerprint has changed'
    )
    assert.include(
      explainConnectorError(
        err("ENOENT: no such file or directory, scandir '/srv/drop'", 'ENOENT'),
        { path: '/srv/drop' }
      ).message,
      'The folder "/srv/drop" does not exist'
    )
    assert.include(
      explainConnectorError(err('HTTP 401 Unauthorized')).message,
      'did not accept the one given'
    )
    assert.include(
      explainConnectorError(
        err('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN')
      ).message,
      'certificate is not trusted'
    )
  })

  test('anything else still says the test failed and keeps the text', ({ assert }) => {
    assert.equal(explainConnectorError(err('weird')).message, 'The connection test failed: weird')
    assert.equal(explainConnectorError('plain string').detail, 'plain string')
  })
})
