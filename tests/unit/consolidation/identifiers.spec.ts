import { test } from '@japa/runner'
import { guessKind, normaliseIdentifier } from '#consolidation/services'
import { localDate, localMidnight } from '#consolidation/assignments'
import { nameFromIdentifier } from '#consolidation/unallocated'
import { normaliseNumber, regionFrom } from '#lib/identifiers'

test.group('consolidation: service identifiers', () => {
  test('numbers in any written form become E.164; other kinds their own stored form', ({
    assert,
  }) => {
    for (const raw of [
      '07700 900123',
      '+44 7700 900123',
      '447700900123',
      '0044 7700-900123',
      '(07700) 900123',
    ]) {
      assert.equal(normaliseIdentifier('mobile', raw), '+447700900123', raw)
    }
    assert.equal(normaliseIdentifier('ddi', '020 7946 0018'), '+442079460018')
    assert.isNull(normaliseIdentifier('mobile', 'not a number'))
    assert.isNull(normaliseIdentifier('mobile', '2001'), 'an extension is not a mobile number')
    assert.equal(normaliseIdentifier('extension', ' 2001 '), '2001')
    assert.equal(normaliseIdentifier('sim', '8944 1100 0000 1234 5678'), '89441100000012345678')
    assert.equal(
      normaliseIdentifier('m365_user', ' Alice.Smith@Contoso.COM '),
      'alice.smith@contoso.com'
    )
    assert.isNull(normaliseIdentifier('m365_user', 'alice'))
    assert.isNull(normaliseIdentifier('extension', '   '))
  })

  test('guesses the kind of an identifier seen on usage', ({ assert }) => {
    assert.equal(guessKind('alice@contoso.com'), 'm365_user')
    assert.equal(guessKind('+447700900123'), 'mobile')
    assert.equal(guessKind('+442079460018'), 'ddi')
    assert.equal(guessKind('2001'), 'extension')
    assert.equal(guessKind('89441100000012345678'), 'sim')
  })

  test('names new employees after their UPN', ({ assert }) => {
    assert.equal(nameFromIdentifier('carol.jones@acme.example'), 'Carol Jones')
    assert.equal(nameFromIdentifier('j_smith-jr@acme.example'), 'J Smith Jr')
    assert.equal(nameFromIdentifier('+447700900123'), '+447700900123')
  })
})

test.group('consolidation: dates entered in the UI', () => {
  test('a date is local midnight in the customer time zone, as UTC', ({ assert }) => {
    assert.equal(localMidnight('2026-03-16', 'Europe/London').toISO(), '2026-03-16T00:00:00.000Z')
    assert.equal(localMidnight('2026-06-16', 'Europe/London').toISO(), '2026-06-15T23:00:00.000Z')
    assert.equal(
      localMidnight('2026-06-16', 'America/New_York').toISO(),
      '2026-06-16T04:00:00.000Z'
    )
    assert.equal(
      localDate(localMidnight('2026-06-16', 'Europe/London'), 'Europe/London'),
      '2026-06-16'
    )
    assert.throws(() => localMidnight('2026-13-40', 'Europe/London'))
  })
})

test.group('default region (DEFAULT_REGION)', () => {
  test('national numbers are read in the configured country; unknown codes are refused', ({
    assert,
  }) => {
    assert.equal(regionFrom(undefined), 'GB')
    assert.equal(regionFrom(' ie '), 'IE')
    assert.throws(() => regionFrom('XX'), /DEFAULT_REGION "XX" is not a country code/)
    assert.equal(normaliseNumber('087 123 4567', regionFrom('IE')), '+353871234567')
    assert.equal(normaliseNumber('06 12345678', regionFrom('NL')), '+31612345678')
    assert.equal(normaliseNumber('07700 900123', regionFrom('GB')), '+447700900123')
    // A number with its country code is the same whatever the region.
    assert.equal(normaliseNumber('+44 7700 900123', regionFrom('IE')), '+447700900123')
  })
})
