import { test } from '@japa/runner'
import { writeFile, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { AsteriskParser } from '#connectors/asterisk'
import { CsvProfileParser, parseDuration, previewProfile } from '#connectors/csv_profile'
import { readCsvRows } from '#connectors/csv_reader'
import { scheduleIntervalMs } from '#connectors/poll_connector'
import { ZoneClock, parseSqlLocal, utcSql } from '#connectors/local_time'
import { globToRegExp } from '#connectors/transports/pattern'
import { retryAfterSeconds } from '#connectors/graph_client'

const row = (over: Partial<Record<number, string>> = {}, length = 18) => {
  const f = [
    '',
    '2001',
    '07700 900123',
    'from-internal',
    '"Bob" <2001>',
    'SIP/2001-1',
    'SIP/trunk-2',
    'Dial',
    'SIP/trunk/07700900123',
    '2026-07-01 09:00:00',
    '2026-07-01 09:00:05',
    '2026-07-01 09:01:35',
    '95',
    '90',
    'ANSWERED',
    'DOCUMENTATION',
    '',
    '1751360400.7',
  ]
  for (const [k, v] of Object.entries(over)) f[Number(k)] = v!
  return f.slice(0, length)
}

test.group('Asterisk parser', () => {
  test('an answered call becomes a voice record charged on billsec, times from the phone system zone to UTC', ({
    assert,
  }) => {
    const p = new AsteriskParser('Europe/London', 'Europe/London')
    const out = p.parse(row(), 1)
    assert.equal(out.kind, 'record')
    if (out.kind !== 'record') return
    assert.deepInclude(out.record, {
      dedupeKey: 'ast:1751360400.7|2026-07-01 08:00:00|2001',
      identifier: '2001',
      account: null,
      occurredAt: '2026-07-01 08:00:00',
      period: '2026-07',
      category: 'voice',
      destination: '447700900123',
      durationS: 90,
      costE4: null,
    })
  })

  test('the accountcode is kept for routing; the key is the same whichever customer the file is read for', ({
    assert,
  }) => {
    const a = new AsteriskParser('Europe/London', 'Europe/London').parse(
      row({ 0: ' BRIG002 ' }),
      1
    ) as any
    const b = new AsteriskParser('Europe/London', 'Asia/Tokyo').parse(
      row({ 0: ' BRIG002 ' }),
      1
    ) as any
    assert.equal(a.record.account, 'BRIG002')
    assert.equal(a.record.dedupeKey, b.record.dedupeKey)
  })

  test('period follows the customer zone, not the phone system zone', ({ assert }) => {
    const p = new AsteriskParser('UTC', 'Asia/Tokyo')
    const out = p.parse(row({ 9: '2026-07-31 20:00:00' }), 1)
    assert.equal(out.kind === 'record' && out.record.period, '2026-08')
  })

  test('unanswered calls are skipped, not errors', ({ assert }) => {
    const p = new AsteriskParser('Europe/London', 'Europe/London')
    for (const d of ['NO ANSWER', 'BUSY', 'FAILED'])
      assert.deepEqual(p.parse(row({ 14: d, 13: '0' }), 1), { kind: 'skip' })
  })

  test('bad rows are rejected with the field and a reason', ({ assert }) => {
    const p = new AsteriskParser('Europe/London', 'Europe/London')
    assert.deepInclude(p.parse(row({ 13: '-5' }), 1), { kind: 'error', field: 'billsec' })
    assert.match((p.parse(row({ 13: '-5' }), 1) as any).message, /negative/)
    assert.deepInclude(p.parse(row({ 9: '2026-02-30 10:00:00' }), 1), {
      kind: 'error',
      field: 'start',
    })
    assert.deepInclude(p.parse(row({ 9: '01/07/2026 10:00' }), 1), {
      kind: 'error',
      field: 'start',
    })
    assert.deepInclude(p.parse(row({ 1: '' }), 1), { kind: 'error', field: 'src' })
    assert.deepInclude(p.parse(row({ 14: 'WHATEVER' }), 1), { kind: 'error', field: 'disposition' })
    assert.deepInclude(p.parse(row({}, 9), 1), { kind: 'error', structural: true })
  })

  test('without a uniqueid the dedupe key is a SHA-1 of the trimmed row', ({ assert }) => {
    const p = new AsteriskParser('Europe/London', 'Europe/London')
    const a = p.parse(row({}, 16), 1)
    const b = p.parse(row({ 3: ' from-internal ' }, 16), 2)
    assert.equal(a.kind, 'record')
    assert.match((a as any).record.dedupeKey, /^ast:h:[0-9a-f]{40}$/)
    assert.equal((a as any).record.dedupeKey, (b as any).record.dedupeKey)
    assert.notEqual(
      (a as any).record.dedupeKey,
      (p.parse(row({ 5: 'SIP/2001-2' }, 16), 3) as any).record.dedupeKey
    )
    assert.equal((p.parse(row({ 2: 's' }), 1) as any).record.destination, 's')
  })
})

test.group('Zone clock', () => {
  test('matches Luxon across a DST change', ({ assert }) => {
    const clock = new ZoneClock('Europe/London', 'Europe/London')
    assert.equal(
      new Date(parseSqlLocal('2026-03-29 00:30:00', clock)!).toISOString(),
      '2026-03-29T00:30:00.000Z'
    )
    assert.equal(
      new Date(parseSqlLocal('2026-03-29 02:30:00', clock)!).toISOString(),
      '2026-03-29T01:30:00.000Z'
    )
    assert.equal(
      new Date(parseSqlLocal('2026-10-25 03:00:00', clock)!).toISOString(),
      '2026-10-25T03:00:00.000Z'
    )
    assert.isNull(parseSqlLocal('2026-13-01 00:00:00', clock))
  })

  test('fast time parsing and formatting agree with Luxon and Date on every shape', ({
    assert,
  }) => {
    const clock = new ZoneClock('America/New_York', 'America/New_York')
    for (const [text, expected] of [
      ['2026-02-28 23:59:59', '2026-03-01T04:59:59.000Z'],
      ['2028-02-29 12:00:00', '2028-02-29T17:00:00.000Z'],
      ['2026-07-01T09:00:00', '2026-07-01T13:00:00.000Z'],
      ['2026-07-01 09:00:00.250', '2026-07-01T13:00:00.000Z'],
    ] as const) {
      assert.equal(new Date(parseSqlLocal(text, clock)!).toISOString(), expected, text)
    }
    for (const bad of [
      '2026-02-29 10:00:00',
      '2026-04-31 10:00:00',
      '2026-07-01 24:00:00',
      '2026-07-01 09:60:00',
      '2026/07/01 09:00:00',
      '2026-07-01 9:00:00 ',
      '2026-07-0x 09:00:00',
      '',
    ]) {
      assert.isNull(parseSqlLocal(bad, clock), bad)
    }
    // Minutes repeat and jump back: the formatter's cache must never serve a stale minute.
    for (const ms of [
      0, 59_999, 60_000, 1_790_000_000_123, 1_790_000_059_999, 1_790_000_000_000, -1,
      951_782_400_000,
    ]) {
      assert.equal(
        utcSql(ms),
        new Date(ms).toISOString().slice(0, 19).replace('T', ' '),
        String(ms)
      )
    }
  })
})

test.group('CSV reader', (group) => {
  const dir = join(tmpdir(), `tollgate-csv-${process.pid}`)
  group.setup(async () => {
    await mkdir(dir, { recursive: true })
  })
  group.teardown(() => rm(dir, { recursive: true, force: true }))
  const read = async (text: string | Buffer, delimiter = ',') => {
    const path = join(dir, 'f.csv')
    await writeFile(path, text)
    const rows = []
    for await (const batch of readCsvRows(path, { delimiter })) rows.push(...batch)
    return rows
  }

  test('BOM, CRLF, blank lines, quoted newlines and doubled quotes, with the line each row starts on', async ({
    assert,
  }) => {
    const rows = await read('\ufeffa,b\r\n"x\r\ny","say ""hi"""\r\n\r\nq,,e\r\nlast,1')
    assert.deepEqual(rows, [
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x\r\ny', 'say "hi"'], line: 2 },
      { fields: ['q', '', 'e'], line: 5 },
      { fields: ['last', '1'], line: 6 },
    ])
  })

  test('other delimiters', async ({ assert }) => {
    assert.deepEqual(
      (await read('a;b\n1;"2;3"\n', ';')).map((r) => r.fields),
      [
        ['a', 'b'],
        ['1', '2;3'],
      ]
    )
  })

  test('a quoted field left open at the end of the file is an error naming its line', async ({
    assert,
  }) => {
    await assert.rejects(() => read('a,b\nc,"d\n'), /line 2: a quoted field is not closed/)
  })

  test('rows spanning read chunks come out whole', async ({ assert }) => {
    const line = `"${'x'.repeat(5000)}","${'y\n'.repeat(100)}",z\n`
    const rows = await read(line.repeat(600))
    assert.lengthOf(rows, 600)
    assert.equal(rows[599].line, 599 * 101 + 1)
    assert.equal(rows[599].fields[2], 'z')
  })
})

test.group('CSV mapping profile', () => {
  const config = {
    hasHeader: true,
    dateFormat: 'dd/MM/yyyy HH:mm',
    timeZone: 'Europe/London',
    durationFormat: 'hh:mm:ss' as const,
    volumeUnit: 'KB' as const,
    categoryMap: { 'mobile data': 'data' },
    columns: {
      number: 'MSISDN',
      date: 'Date',
      time: 'Time',
      destination: 'Called',
      duration: 'Duration',
      volume: 'KB',
      cost: 'Cost',
      category: 'Type',
      description: 'Desc',
    },
  }

  test('maps named columns to a record', ({ assert }) => {
    const p = new CsvProfileParser(config, 'Europe/London')
    p.header(['MSISDN', 'Date', 'Time', 'Called', 'Duration', 'KB', 'Cost', 'Type', 'Desc'])
    const out = p.parse(
      [
        '07700 900123',
        '01/07/2026',
        '09:15',
        '0207 946 0000',
        '00:01:05',
        '',
        '£0.1234',
        'Voice',
        'UK call',
      ],
      2
    )
    assert.equal(out.kind, 'record')
    assert.deepInclude((out as any).record, {
      identifier: '+447700900123',
      occurredAt: '2026-07-01 08:15:00',
      destination: '442079460000',
      durationS: 65,
      costE4: 1234,
      category: 'voice',
      description: 'UK call',
    })
    const data = p.parse(
      ['07700900123', '01/07/2026', '10:00', '', '', '1.5', '0.01', 'Mobile data', ''],
      3
    )
    assert.deepInclude((data as any).record, { category: 'data', volumeBytes: 1536, durationS: 0 })
  })

  test('rejects bad values with the field', ({ assert }) => {
    const p = new CsvProfileParser(config, 'Europe/London')
    p.header(['MSISDN', 'Date', 'Time', 'Called', 'Duration', 'KB', 'Cost', 'Type', 'Desc'])
    assert.deepInclude(
      p.parse(['07700900123', '31/02/2026', '09:15', '', '1', '', '', 'Voice', ''], 2),
      { kind: 'error', field: 'date' }
    )
    assert.deepInclude(
      p.parse(['07700900123', '01/07/2026', '09:15', '', '-00:00:05', '', '', 'Voice', ''], 2),
      { kind: 'error', field: 'duration' }
    )
    assert.deepInclude(
      p.parse(['07700900123', '01/07/2026', '09:15', '', '1', '', '1.23456', 'Voice', ''], 2),
      { kind: 'error', field: 'cost' }
    )
    assert.deepInclude(p.parse(['07700900123', '01/07/2026'], 2), {
      kind: 'error',
      structural: true,
    })
  })

  test('a profile naming a column the file lacks fails clearly', ({ assert }) => {
    const p = new CsvProfileParser(config, 'Europe/London')
    assert.throws(
      () => p.header(['MSISDN', 'Date']),
      /column "Time" for time is not in the file's header/
    )
  })

  test('preview parses the first rows of a sample', ({ assert }) => {
    const result = previewProfile(
      { columns: { number: 1, date: 2 }, hasHeader: false, dateFormat: 'yyyy-MM-dd' },
      '07700900123,2026-07-01\n???,2026-07-01\n',
      'Europe/London'
    )
    assert.deepEqual(result.problems, [])
    assert.equal(result.rows[0].outcome?.kind, 'record')
    assert.deepInclude(result.rows[1].outcome as any, { kind: 'error', field: 'number' })
    assert.deepEqual(previewProfile({ columns: {} } as any, 'a', 'UTC').problems, [
      'map a column to "number"',
      'map a column to "date"',
    ])
  })

  test('durations', ({ assert }) => {
    assert.equal(parseDuration('95', 'seconds'), 95)
    assert.equal(parseDuration('1.5', 'minutes'), 90)
    assert.equal(parseDuration('01:02:03', 'hh:mm:ss'), 3723)
    assert.isNull(parseDuration('abc', 'seconds'))
  })
})

test.group('Connector helpers', () => {
  test('schedules', ({ assert }) => {
    assert.equal(scheduleIntervalMs('15m'), 900_000)
    assert.equal(scheduleIntervalMs('every 2 hours'), 7_200_000)
    assert.equal(scheduleIntervalMs('daily'), 86_400_000)
    assert.equal(scheduleIntervalMs('30'), 1_800_000)
    assert.isNull(scheduleIntervalMs('whenever'))
    assert.isNull(scheduleIntervalMs(''))
  })

  test('file patterns and Retry-After', ({ assert }) => {
    assert.isTrue(globToRegExp('Master*.csv').test('master-2026-07.csv'))
    assert.isFalse(globToRegExp('*.csv').test('notes.txt'))
    assert.equal(retryAfterSeconds('3', 1), 3)
    assert.equal(retryAfterSeconds(null, 2), 2)
    assert.closeTo(retryAfterSeconds(new Date(Date.now() + 5000).toUTCString(), 1), 5, 1.5)
  })
})
