import { test } from '@japa/runner'
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import Connector from '#models/connector'
import { pollConnector } from '#connectors/poll_connector'
import { FolderTransport } from '#connectors/transports/folder'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { cleanSlate } from '#tests/helpers/clean_slate'
import { cdr } from '#tests/helpers/peers/master_csv'

/**
 * Issue 13, H1: a folder connector reads only under CONNECTOR_FOLDER_ROOTS. The "secret" folder
 * plays a home's .ssh: it is readable by the server but outside the allowed roots.
 */
const base = app.makePath('tmp', `security-folders-${process.pid}`)
const allowed = join(base, 'allowed')
const secret = join(base, 'secret')

test.group('Security H1: folder connectors stay under the allowed roots', (group) => {
  cleanSlate(group, base)
  let saved: string | undefined
  group.each.setup(async () => {
    saved = process.env.CONNECTOR_FOLDER_ROOTS
    process.env.CONNECTOR_FOLDER_ROOTS = allowed
    await mkdir(allowed, { recursive: true })
    await mkdir(secret, { recursive: true })
    await writeFile(join(secret, 'id_rsa'), '-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n')
    return () => {
      process.env.CONNECTOR_FOLDER_ROOTS = saved
    }
  })

  test('saving a folder outside the roots, or a symlink leading out, is a validation error naming the field', async ({
    client,
    assert,
  }) => {
    const billing = await makeUser('billing')
    const customer = await makeCustomer()
    await symlink(secret, join(allowed, 'sneaky'))
    const attempts = [secret, join(allowed, '..', 'secret'), join(allowed, 'sneaky'), '/etc']
    for (const path of attempts) {
      const response = await client
        .post('/connectors')
        .json({
          name: 'Drop',
          type: 'asterisk',
          transport: 'folder',
          customerId: customer.id,
          enabled: true,
          settings: { path },
        })
        .header('referer', '/connectors/new')
        .loginAs(billing)
        .withCsrfToken()
        .redirects(0)
      response.assertStatus(302)
      const flash = JSON.stringify(response.flashMessages())
      assert.include(flash, 'settings.path', path)
      assert.include(flash, 'outside the folders connectors may read', path)
    }
    assert.isNull(await Connector.findBy('name', 'Drop'))

    const inbox = join(allowed, 'inbox')
    await mkdir(inbox)
    const ok = await client
      .post('/connectors')
      .json({
        name: 'Drop',
        type: 'asterisk',
        transport: 'folder',
        customerId: customer.id,
        enabled: true,
        settings: { path: inbox },
      })
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    ok.assertStatus(302)
    assert.isNotNull(await Connector.findBy('name', 'Drop'))
  })

  test('a connector stored with an outside folder (saved before the rule) reads and moves nothing', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const connector = await Connector.create({
      name: 'Old',
      type: 'asterisk',
      transport: 'folder',
      customerId: customer.id,
      enabled: true,
      settings: { path: secret },
    })
    const result = await pollConnector(connector.id)
    assert.equal(result.status, 'failed')
    assert.match(result.message, /outside the folders connectors may read/)
    assert.deepEqual(await readdir(secret), ['id_rsa'])
    assert.include(await readFile(join(secret, 'id_rsa'), 'utf8'), 'secret')
  })

  test('inside an allowed folder: symlinked files are not listed, a processed/ link leading out carries nothing out', async ({
    assert,
  }) => {
    const inbox = join(allowed, 'inbox')
    await mkdir(inbox)
    await symlink(join(secret, 'id_rsa'), join(inbox, 'Master-key.csv'))
    await writeFile(join(inbox, 'Master-1.csv'), cdr(1) + '\n')
    const transport = new FolderTransport({ path: inbox })
    assert.deepEqual(
      (await transport.list()).map((f) => f.name),
      ['Master-1.csv']
    )

    await symlink(secret, join(inbox, 'processed'))
    const [file] = await transport.list()
    await assert.rejects(() => transport.settle(file, 'processed'), /leads outside the folder/)
    assert.deepEqual(await readdir(secret), ['id_rsa'])
    assert.includeMembers(await readdir(inbox), ['Master-1.csv'])

    // The folder itself swapped for a link to elsewhere after it was saved.
    const swapped = join(allowed, 'swapped')
    await symlink(secret, swapped)
    await assert.rejects(
      () => new FolderTransport({ path: swapped }).list(),
      /outside the folders connectors may read/
    )
  })

  test('the default root without CONNECTOR_FOLDER_ROOTS is the app drop folder only', async ({
    assert,
  }) => {
    delete process.env.CONNECTOR_FOLDER_ROOTS
    await assert.rejects(
      () => new FolderTransport({ path: allowed }).list(),
      new RegExp(`CONNECTOR_FOLDER_ROOTS: ${app.makePath('drop')}`)
    )
  })
})
