import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import db from '@adonisjs/lucid/services/db'
import { makeCustomer, makeUser, addRate, makeTariff, putOnTariff } from '#tests/helpers/factories'
import { TariffRuleError, createTariff, deleteTariff, updateTariff } from '#rating/tariff_admin'

const auditActions = async () =>
  (await db.from('audit_logs').orderBy('id').select('action')).map((r: any) => r.action)

test.group('rating | tariff write path (shared by the admin UI and the REST API)', (group) => {
  group.each.setup(() => truncateAll())

  test('create and update keep names unique; a refused change writes nothing', async ({
    assert,
  }) => {
    const user = await makeUser('billing')
    const id = await createTariff(
      { name: 'Standard', currency: 'GBP', defaultMarkup: '10' },
      user.id
    )
    const other = await createTariff(
      { name: 'Other', currency: 'GBP', defaultMarkup: '0', description: 'spare' },
      user.id
    )
    await assert.rejects(
      () => createTariff({ name: 'Standard', currency: 'GBP', defaultMarkup: '1' }, user.id),
      'A tariff named "Standard" already exists'
    )
    await assert.rejects(
      () => updateTariff(other, { name: 'Standard', currency: 'GBP', defaultMarkup: '1' }, user.id),
      'A tariff named "Standard" already exists'
    )
    await updateTariff(id, { name: 'Standard', currency: 'GBP', defaultMarkup: '12.75' }, user.id)
    const rows = await db
      .from('tariffs')
      .orderBy('id')
      .select('name', 'default_markup_bp', 'description')
    assert.deepEqual(
      rows.map((r: any) => [r.name, Number(r.default_markup_bp), r.description]),
      [
        ['Standard', 1275, null],
        ['Other', 0, 'spare'],
      ]
    )
    assert.deepEqual(await auditActions(), ['tariff.created', 'tariff.created', 'tariff.updated'])
  })

  test('an unused tariff is deleted with its rates; one with customers is refused and kept', async ({
    assert,
  }) => {
    const user = await makeUser('billing')
    const unused = await makeTariff('Unused')
    await addRate(unused, { prefix: '44', category: 'national', micros: 10_000 })
    const used = await makeTariff('Used')
    await addRate(used, { prefix: '44', category: 'national', micros: 10_000 })
    await putOnTariff((await makeCustomer()).id, used)

    await deleteTariff(unused, user.id)
    const refused = await deleteTariff(used, user.id).catch((e) => e)
    assert.instanceOf(refused, TariffRuleError)
    assert.equal(refused.message, 'Tariff Used cannot be deleted: customers are (or were) on it')
    assert.deepEqual(
      (await db.from('tariffs').select('name')).map((r: any) => r.name),
      ['Used']
    )
    assert.deepEqual(
      (await db.from('rates').select('tariff_id')).map((r: any) => Number(r.tariff_id)),
      [used]
    )
    assert.deepEqual(await auditActions(), ['tariff.deleted'])
  })

  test('a buy deck a connector costs with cannot be deleted; the page route refuses it and viewers may not try', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('billing')
    const viewer = await makeUser('viewer')
    const buy = await makeTariff('Carrier X costs')
    await db.from('tariffs').where('id', buy).update({ kind: 'buy' })
    const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ')
    await db.table('connectors').insert({
      name: 'Carrier X',
      type: 'asterisk',
      transport: 'folder',
      settings: JSON.stringify({ buyTariff: 'Carrier X costs' }),
      created_at: stamp,
      updated_at: stamp,
    })

    ;(await client.delete(`/tariffs/${buy}`).loginAs(viewer).withCsrfToken()).assertStatus(403)
    const refused = await client
      .delete(`/tariffs/${buy}`)
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(302)
    refused.assertFlashIncludes('cannot be deleted: a connector costs its feed with it')
    assert.lengthOf(await db.from('tariffs').where('id', buy), 1)
    ;(await client.delete('/tariffs/999999').loginAs(user).withCsrfToken()).assertStatus(404)

    await db.from('connectors').delete()
    const deleted = await client
      .delete(`/tariffs/${buy}`)
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    assert.equal(deleted.header('location'), '/tariffs')
    assert.lengthOf(await db.from('tariffs').where('id', buy), 0)
  })
})
