import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ParsedRecord } from '#connectors/types'
import type { UsageSink } from '#connectors/usage_sink'
import { openBatchInsertSink } from '#connectors/usage_insert'
import { openLoadDataSink } from '#connectors/usage_load_data'
import { makeCustomer } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'

type Opener = Parameters<typeof openLoadDataSink>
const SINKS: Record<string, (...args: Opener) => UsageSink | Promise<UsageSink>> = {
  'LOAD DATA': openLoadDataSink,
  'batched INSERT': openBatchInsertSink,
}

function record(i: number, over: Partial<ParsedRecord> = {}): ParsedRecord {
  return {
    dedupeKey: `K${i}`,
    account: null,
    identifier: `+4477009${String(i % 1000).padStart(5, '0')}`,
    occurredAt: '2026-07-01 09:00:00',
    period: '2026-07',
    category: 'voice',
    destination: i % 3 ? `4420794${String(i).padStart(5, '0')}` : null,
    durationS: i % 600,
    volumeBytes: i * 1024,
    quantity: 1,
    description: null,
    costE4: i % 2 ? i * 7 : null,
    ...over,
  }
}

/** Records with awkward text, in-file duplicates and a key that is already stored. */
function corpus(): ParsedRecord[] {
  const rows = Array.from({ length: 5000 }, (_, i) => record(i))
  rows[10] = record(10, {
    description: 'tab\there, newline\nthere, back\\slash, cr\r, nul\0, quote "x"',
  })
  rows[11] = record(11, { description: 'Ünïcödé € 😀', destination: 'VOICEMAIL\\N' })
  rows[12] = record(12, { description: '\\N', identifier: 'alice@example.com' })
  rows.push(record(20), record(21), record(4999))
  return rows
}

async function load(
  open: (...args: Opener) => UsageSink | Promise<UsageSink>,
  customerId: number,
  source: string
) {
  const [first] = await db.table('imports').insert({
    customer_id: customerId,
    source_name: source,
    format: 'test',
    sha256: source,
    status: 'running',
    created_at: '2026-07-01 00:00:00',
    updated_at: '2026-07-01 00:00:00',
  })
  return db.transaction(async (trx) => {
    const sink = await open(trx, { customerId, source, importId: Number(first) })
    // Keys are per reseller: each sink gets its own keys so both can store the corpus.
    const rows = corpus().map((r) => ({ ...r, dedupeKey: `${source}|${r.dedupeKey}` }))
    let waits = 0
    for (const [i, row] of rows.entries()) {
      const wait = sink.add(row, i + 1)
      if (wait) {
        waits++
        await wait
      }
    }
    return { inserted: await sink.finish(), offered: rows.length, waits }
  })
}

const stored = async (source: string) =>
  (await db.from('usage_records').where('source', source).orderBy('dedupe_key')).map((r) => [
    r.dedupe_key.slice(source.length + 1),
    r.identifier,
    r.destination,
    r.duration_s,
    Number(r.volume_bytes),
    r.quantity,
    r.description,
    r.cost_e4 === null ? null : Number(r.cost_e4),
    r.period,
    r.category,
    r.rating_status,
  ])

test.group('Usage sinks (MySQL)', (group) => {
  group.each.setup(() => truncateAll())

  test('LOAD DATA and batched INSERT store the same rows and count the same duplicates', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    // K7 came before by another route: the key is per reseller, so it is a duplicate all the same.
    for (const name of Object.keys(SINKS)) {
      await db.table('usage_records').insert({
        customer_id: customer.id,
        source: 'src:earlier',
        dedupe_key: `src:${name}|K7`,
        identifier: 'old',
        occurred_at: '2026-06-01 00:00:00',
        period: '2026-06',
        category: 'voice',
      })
    }
    const results: Record<string, { inserted: number; offered: number }> = {}
    for (const [name, open] of Object.entries(SINKS))
      results[name] = await load(open, customer.id, `src:${name}`)

    for (const name of Object.keys(SINKS)) {
      // 5003 offered: 3 repeat earlier rows of the file and K7 was stored before.
      assert.deepInclude(results[name], { offered: 5003, inserted: 4999 }, name)
    }
    const viaLoad = await stored('src:LOAD DATA')
    assert.deepEqual(viaLoad, await stored('src:batched INSERT'))
    const byKey = new Map(viaLoad.map((r) => [r[0], r]))
    assert.equal(
      byKey.get('K10')![6],
      'tab\there, newline\nthere, back\\slash, cr\r, nul\0, quote "x"'
    )
    assert.equal(byKey.get('K11')![6], 'Ünïcödé € 😀')
    assert.equal(byKey.get('K11')![2], 'VOICEMAIL\\N')
    assert.equal(byKey.get('K12')![6], '\\N')
    assert.isNull(byKey.get('K3')![2])
    assert.isUndefined(byKey.get('K7'))
    assert.deepEqual(
      (await db.from('usage_records').where('source', 'src:earlier')).map((r) => r.identifier),
      ['old', 'old']
    )
    assert.deepEqual(byKey.get('K5')!.slice(3, 11), [
      5,
      5120,
      1,
      null,
      35,
      '2026-07',
      'voice',
      'pending',
    ])
  })

  test('a value the database refuses fails LOAD DATA with the line and the column, in any of its statements', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const [importId] = await db.table('imports').insert({
      customer_id: customer.id,
      source_name: 'x',
      format: 'test',
      sha256: 'x',
      status: 'running',
      created_at: '2026-07-01 00:00:00',
      updated_at: '2026-07-01 00:00:00',
    })
    const attempt = db.transaction(async (trx) => {
      const sink = await openLoadDataSink(trx, {
        customerId: customer.id,
        source: 'src:bad',
        importId: Number(importId),
      })
      // The file goes in as statements of 50 000 rows: the bad row is in the second.
      for (let i = 0; i < 60_000; i++)
        await sink.add(record(i, i === 55_000 ? { destination: '9'.repeat(80) } : {}), i + 7)
      return sink.finish()
    })
    await assert.rejects(
      () => attempt,
      /^line 55007: field destination: the database refused the value/
    )
    assert.equal(
      Number((await db.from('usage_records').where('source', 'src:bad').count('* as n'))[0].n),
      0
    )
  })
})
