import { test } from '@japa/runner'
import {
  auditActionLabel,
  categoryLabel,
  connectorTypeLabel,
  humanise,
  roleLabel,
  settingLabel,
  statusLabel,
} from '#lib/labels'
import {
  dataVolume,
  date,
  dateTime,
  dialled,
  minutes,
  moneyE4,
  month,
  quantity,
  rate,
  unitPriceE4,
  clock,
} from '#lib/format'

test.group('labels: one catalogue for every code', () => {
  test('categories, statuses, roles and connector settings read as words', ({ assert }) => {
    assert.equal(categoryLabel('line_rental'), 'Line rental')
    assert.equal(categoryLabel('mi_addon'), 'Management information add-on')
    assert.equal(categoryLabel('licence'), 'Microsoft 365 licences')
    assert.equal(categoryLabel('sms'), 'Text messages (SMS)')
    assert.equal(statusLabel('invoice', 'finalized'), 'Finalised')
    assert.equal(statusLabel('delivery', 'queued'), 'Waiting to send')
    assert.equal(roleLabel('billing'), 'Billing clerk')
    assert.equal(settingLabel('hostFingerprint'), 'Server fingerprint (SHA-256)')
    assert.equal(settingLabel('privateKey'), 'Private key (SSH)')
    assert.equal(connectorTypeLabel('profile:Carrier X'), 'Carrier CSV (Carrier X)')
  })

  test('an unknown code still reads as words, never snake_case or camelCase', ({ assert }) => {
    assert.equal(humanise('some_new_code'), 'Some new code')
    assert.equal(humanise('remoteUrlPath'), 'Remote URL path')
    assert.equal(categoryLabel('eu_roaming_sms'), 'EU roaming SMS')
    assert.equal(humanise(null), '')
  })

  test('audit actions read as a sentence', ({ assert }) => {
    assert.equal(auditActionLabel('billing_run.finalize'), 'Billing run finalised')
    assert.equal(auditActionLabel('mi_addon.enable'), 'MI add-on switched on')
    assert.equal(auditActionLabel('tariff.rates_imported'), 'Tariff rates imported')
  })
})

test.group('format: money, rates and quantities people read', () => {
  test('record prices at 2 dp, rates and unit prices at their precision', ({ assert }) => {
    assert.equal(moneyE4(400), '£0.04')
    assert.equal(moneyE4(450), '£0.05')
    assert.equal(moneyE4(-450), '-£0.05')
    assert.equal(moneyE4(12_345_678), '£1,234.57')
    assert.equal(unitPriceE4(500_000), '£50.00')
    assert.equal(unitPriceE4(23_300), '£2.33')
    assert.equal(unitPriceE4(23_345), '£2.3345')
    assert.equal(rate(12_500, 'per minute'), '£0.0125 per minute')
    assert.equal(rate(1_000_000, 'per message', 'EUR'), '€1.00 per message')
  })

  test('durations, data and counts carry units', ({ assert }) => {
    assert.equal(clock(42), '0:42')
    assert.equal(clock(3723), '1:02:03')
    assert.equal(minutes(89), '1 min')
    assert.equal(minutes(90), '2 min')
    assert.equal(minutes(74_000 * 60), '74,000 min')
    assert.equal(minutes(20), '20 s')
    assert.equal(dataVolume(1_757_952_000), '1.64 GB')
    assert.equal(dataVolume(5 * 1024 * 1024), '5.0 MB')
    assert.equal(quantity('sms', { quantity: 1 }), '1 message')
    assert.equal(quantity('sms', { quantity: 12 }), '12 messages')
    assert.equal(quantity('licence', { quantity: 3 }), '3 seats')
    assert.equal(quantity('national', { durationS: 600, quantity: 4 }), '10 min')
    assert.equal(quantity('data', { volumeBytes: 2048 }), '2 KB')
  })
})

test.group('format: dates and times in a named zone, en-GB', () => {
  test('a UTC timestamp reads in the customer zone with the zone named', ({ assert }) => {
    assert.equal(dateTime('2026-07-14 08:32:00', 'Europe/London'), '14 Jul 2026, 09:32 BST')
    assert.equal(dateTime('2026-11-14 08:32:00', 'Europe/London'), '14 Nov 2026, 08:32 GMT')
    assert.match(
      dateTime(new Date('2026-11-14T08:32:00Z'), 'Europe/Berlin'),
      /^14 Nov 2026, 09:32 (CET|GMT\+1)$/
    )
    assert.equal(dateTime(null), '')
  })

  test('calendar dates are not shifted by zones; months are words', ({ assert }) => {
    assert.equal(date('2026-12-01', 'Pacific/Auckland'), '1 Dec 2026')
    assert.equal(month('2026-11'), 'Nov 2026')
    assert.equal(month('2026-11', true), 'November 2026')
  })
})

test.group('format: the dialled number and its country', () => {
  test('UK numbers in national form, foreign ones international with the country', ({ assert }) => {
    assert.deepEqual(dialled('+447700900123'), {
      display: '07700 900123',
      country: 'United Kingdom',
      countryCode: 'GB',
    })
    const fr = dialled('0033142685300')
    assert.equal(fr.display, '+33 1 42 68 53 00')
    assert.equal(fr.country, 'France')
    assert.equal(dialled('441632960000').country, 'United Kingdom')
    assert.deepEqual(dialled('2001'), { display: '2001', country: '', countryCode: null })
  })
})

test.group('audit log text', () => {
  test('changes read as field: from → to, with units, and secrets hidden', async ({ assert }) => {
    const { describeChanges } = await import('#lib/audit_text')
    assert.deepEqual(
      describeChanges({
        taxRateBp: { from: 2000, to: 500 },
        miAddon: { from: false, to: true },
        name: 'Acme',
        clientSecret: 's3cr3t',
        startsOn: '2026-11-01',
        unitPriceE4: 125000,
        period: '2026-11',
        unrated: [],
        kinds: ['below_cost', 'unknown_services'],
      }),
      [
        'VAT rate: 20% → 5%',
        'MI add-on: No → Yes',
        'Name: Acme',
        'Client secret: (hidden)',
        'Starts on: 1 Nov 2026',
        'Unit price: £12.50',
        'Period: November 2026',
        'Unrated: (none)',
        'Kinds: Records priced below cost, Unknown services',
      ]
    )
  })
})
