import { test } from '@japa/runner'
import { mkdir, open, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { readCsvRows } from '#connectors/csv_reader'
import { openText, sniffEncoding } from '#connectors/text_decoder'
import { oversizedField, recordProblem } from '#connectors/record_limits'
import { AsteriskParser } from '#connectors/asterisk'
import { zipFile } from '#tests/helpers/zip_file'

const dir = join(tmpdir(), `tollgate-hostile-${process.pid}`)

async function rowsOf(
  name: string,
  data: string | Buffer,
  options: Parameters<typeof readCsvRows>[1] = {}
) {
  const path = join(dir, name)
  await writeFile(path, data)
  const rows: string[][] = []
  for await (const batch of readCsvRows(path, options)) for (const r of batch) rows.push(r.fields)
  return rows
}

const utf16be = (text: string) => {
  const le = Buffer.from(text, 'utf16le')
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]]
  return le
}

test.group('Hostile files: encodings', (group) => {
  group.setup(async () => {
    await mkdir(dir, { recursive: true })
  })
  group.teardown(() => rm(dir, { recursive: true, force: true }))
  const text = 'name,city\nZoë,Málaga €5\n'
  const expected = [
    ['name', 'city'],
    ['Zoë', 'Málaga €5'],
  ]

  test('UTF-8 with and without a BOM', async ({ assert }) => {
    assert.deepEqual(await rowsOf('u8.csv', text), expected)
    assert.deepEqual(
      await rowsOf(
        'u8bom.csv',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])
      ),
      expected
    )
  })

  test('UTF-16 LE and BE, with a BOM and without one', async ({ assert }) => {
    assert.deepEqual(
      await rowsOf(
        'le-bom.csv',
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
      ),
      expected
    )
    assert.deepEqual(
      await rowsOf('be-bom.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)])),
      expected
    )
    assert.deepEqual(await rowsOf('le.csv', Buffer.from(text, 'utf16le')), expected)
    assert.deepEqual(await rowsOf('be.csv', utf16be(text)), expected)
  })

  test('Windows-1252 / Latin-1 is decoded, not turned into U+FFFD', async ({ assert }) => {
    // Zoë, Málaga and the euro sign in Windows-1252 bytes.
    const cp1252 = Buffer.from([
      ...Buffer.from('name,city\nZo'),
      0xeb,
      ...Buffer.from(',M'),
      0xe1,
      ...Buffer.from('laga '),
      0x80,
      ...Buffer.from('5\n'),
    ])
    assert.deepEqual(await rowsOf('cp1252.csv', cp1252), expected)
    // Plain ASCII for the first 200 KB, Latin-1 only after the sniffed part: still decoded properly.
    const ascii = Buffer.from('a,b\n'.repeat(50_000))
    const rows = await rowsOf(
      'late-latin1.csv',
      Buffer.concat([ascii, Buffer.from([...Buffer.from('caf'), 0xe9, ...Buffer.from(',x\n')])])
    )
    assert.deepEqual(rows[rows.length - 1], ['café', 'x'])
    assert.isFalse(rows.some((r) => r.join('').includes('\ufffd')))
  })

  test('UTF-8 that turns invalid after real UTF-8 text is refused as mixed, naming the byte', async ({
    assert,
  }) => {
    const data = Buffer.concat([
      Buffer.from('é,1\n'),
      Buffer.from('a,b\n'.repeat(30_000)),
      Buffer.from([0xe9, 0x0a]),
    ])
    await assert.rejects(
      () => rowsOf('mixed.csv', data),
      /mixes encodings: near byte \d+ it stops being UTF-8/
    )
  })

  test('binary is refused with one clear error', async ({ assert }) => {
    await assert.rejects(
      () => rowsOf('random.bin', randomBytes(200_000)),
      /the file is binary, not text/
    )
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      randomBytes(5000),
    ])
    await assert.rejects(() => rowsOf('image.png', png), /binary/)
    // Text first, then a NUL far into the file.
    await assert.rejects(
      () =>
        rowsOf(
          'late-nul.csv',
          Buffer.concat([Buffer.from('a,b\n'.repeat(40_000)), Buffer.from([0, 1, 2])])
        ),
      /binary, not text \(a NUL character near byte/
    )
    assert.deepInclude(sniffEncoding(Buffer.from('a,b\n'), true), { encoding: 'utf-8', bom: 0 })
  })
})

test.group('Hostile files: compressed', (group) => {
  group.setup(async () => {
    await mkdir(dir, { recursive: true })
  })
  group.teardown(() => rm(dir, { recursive: true, force: true }))
  const text = 'a,b\n1,2\n3,"4\n5"\n'

  test('a .gz file is read through zlib', async ({ assert }) => {
    assert.deepEqual(await rowsOf('f.csv.gz', gzipSync(Buffer.from(text))), [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4\n5'],
    ])
    const path = join(dir, 'f2.gz')
    await writeFile(path, gzipSync(Buffer.from('x\n')))
    assert.equal((await openText(path)).compression, 'gzip')
  })

  test('a .zip file with one data file is read (folders and __MACOSX ignored); UTF-16 inside works', async ({
    assert,
  }) => {
    const zip = zipFile([
      { name: 'export/', data: '' },
      { name: '__MACOSX/export/._cdr.csv', data: 'junk' },
      {
        name: 'export/cdr.csv',
        data: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      },
    ])
    assert.deepEqual(await rowsOf('f.zip', zip), [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4\n5'],
    ])
  })

  test('a zip with several data files, or none, is refused naming them', async ({ assert }) => {
    await assert.rejects(
      () =>
        rowsOf(
          'two.zip',
          zipFile([
            { name: 'a.csv', data: text },
            { name: 'b.csv', data: text },
          ])
        ),
      /holds 2 data files \(a\.csv, b\.csv\): it must hold exactly one/
    )
    await assert.rejects(
      () => rowsOf('none.zip', zipFile([{ name: 'dir/', data: '' }])),
      /holds 0 data files/
    )
  })

  test('zip and gzip bombs are refused by size and ratio without unpacking them', async ({
    assert,
  }) => {
    const zeros = Buffer.alloc(40 * 1024 * 1024, 'a,b\n')
    await assert.rejects(
      () => rowsOf('bomb.zip', zipFile([{ name: 'big.csv', data: zeros }])),
      /unpacks \d+ times its packed size .*zip bomb/
    )
    await assert.rejects(
      () => rowsOf('bomb.gz', gzipSync(zeros)),
      /unpacks more than 200 times its packed size .*zip bomb/
    )
    await assert.rejects(
      () =>
        rowsOf('big.gz', gzipSync(Buffer.from('a,b\n'.repeat(1000))), {
          limits: { maxUncompressedBytes: 1000 },
        }),
      /unpacks to more than 0 MB/
    )
    await assert.rejects(
      () => rowsOf('trunc.gz', gzipSync(Buffer.from(text)).subarray(0, 12)),
      /cannot be unpacked/
    )
  }).timeout(60_000)
})

test.group('Hostile files: long lines and fields', (group) => {
  group.setup(async () => {
    await mkdir(dir, { recursive: true })
  })
  group.teardown(() => rm(dir, { recursive: true, force: true }))

  test('a 100 MB line without a newline is refused in seconds without growing the heap', async ({
    assert,
  }) => {
    const path = join(dir, 'one-line.csv')
    const handle = await open(path, 'w')
    const block = Buffer.alloc(1024 * 1024, 'x')
    await handle.write(Buffer.from('a,b\n'))
    for (let i = 0; i < 100; i++) await handle.write(block)
    await handle.close()
    global.gc?.()
    const heapBefore = process.memoryUsage().heapUsed
    const started = Date.now()
    let peak = 0
    const read = async () => {
      for await (const batch of readCsvRows(path)) {
        for (const row of batch)
          if (row) peak = Math.max(peak, process.memoryUsage().heapUsed - heapBefore)
        peak = Math.max(peak, process.memoryUsage().heapUsed - heapBefore)
      }
    }
    await assert.rejects(
      read,
      /^line 2 is longer than 65,536 characters \(the IMPORT_MAX_LINE_KB limit\)/
    )
    assert.isBelow(Date.now() - started, 5_000)
    assert.isBelow(peak, 32 * 1024 * 1024)
  }).timeout(60_000)

  test('the limit counts quoted records too, and lines under it pass in linear time', async ({
    assert,
  }) => {
    await assert.rejects(
      () => rowsOf('quoted.csv', `a\n"${'y\n'.repeat(40_000)}"\n`),
      /^line 2 is longer than 65,536 characters/
    )
    await assert.rejects(
      () => rowsOf('small-limit.csv', 'ok\n' + 'z'.repeat(101) + '\n', { maxLineChars: 100 }),
      /^line 2 is longer than 100 characters/
    )
    // 400 lines of 60,000 characters (24 MB) just under the limit: read in one pass.
    const line = 'q'.repeat(30_000) + ',' + 'r'.repeat(29_999) + '\n'
    const started = Date.now()
    const rows = await rowsOf('wide.csv', line.repeat(400))
    assert.lengthOf(rows, 400)
    assert.lengthOf(rows[399][1], 29_999)
    assert.isBelow(Date.now() - started, 10_000)
  }).timeout(60_000)

  test('a 10,000-character field is an error naming the column, not cut', ({ assert }) => {
    assert.deepEqual(oversizedField(['a', 'x'.repeat(10_000)]), {
      field: 'column 2',
      message: 'column 2 is 10,000 characters long, more than the 4,096 allowed',
    })
    assert.isNull(oversizedField(['a', 'x'.repeat(4096)]))
  })

  test('out-of-range values are row errors with the field: a 30-digit billsec or quantity', ({
    assert,
  }) => {
    const parser = new AsteriskParser('Europe/London', 'Europe/London')
    const f = [
      '',
      '2001',
      '02079460001',
      'from-internal',
      '"U" <2001>',
      'SIP/1',
      'SIP/t',
      'Dial',
      'x',
      '2026-07-01 09:00:00',
      '2026-07-01 09:00:03',
      '2026-07-01 09:01:03',
      '63',
      '9'.repeat(30),
      'ANSWERED',
      'DOCUMENTATION',
      '',
      '1.1',
    ]
    assert.deepInclude(parser.parse(f, 7), { kind: 'error', field: 'billsec' })
    const ok = parser.parse([...f.slice(0, 13), '60', ...f.slice(14)], 7)
    assert.equal(ok.kind, 'record')
    const record = (ok as any).record
    assert.isNull(recordProblem(record))
    assert.deepEqual(recordProblem({ ...record, quantity: Number('9'.repeat(30)) }), {
      field: 'quantity',
      message: 'quantity 1e+30 is out of range (0 to 2,147,483,647)',
    })
    assert.deepInclude(recordProblem({ ...record, durationS: 2_147_483_648 })!, {
      field: 'duration',
    })
    assert.deepInclude(recordProblem({ ...record, description: 'd'.repeat(256) })!, {
      field: 'description',
      message: 'description is 256 characters long, more than the 255 allowed',
    })
    assert.deepInclude(recordProblem({ ...record, identifier: '1'.repeat(255) })!, {
      field: 'number',
    })
  })
})
