import { test } from '@japa/runner'
import { isValidUkVatDigits, isValidVatNumber, normaliseVatNumber } from '#lib/vat_number'

test.group('VAT numbers', () => {
  test('accepts UK numbers that pass the HMRC check digits', ({ assert }) => {
    assert.isTrue(isValidVatNumber('GB123456782'))
    assert.isTrue(isValidVatNumber('GB 123 4567 82'))
    assert.isTrue(isValidVatNumber('123456782'))
    assert.isTrue(isValidVatNumber('GB123456782001')) // branch trader suffix
    assert.isTrue(isValidUkVatDigits('654321006')) // the 9755 series
    assert.isTrue(isValidVatNumber('GBGD001'))
  })

  test('rejects UK numbers with wrong check digits or shape', ({ assert }) => {
    assert.isFalse(isValidVatNumber('GB123456789'))
    assert.isFalse(isValidVatNumber('GB12345678'))
    assert.isFalse(isValidVatNumber('not a vat number'))
    assert.isFalse(isValidVatNumber('GBHA100'))
  })

  test('accepts EU numbers by shape', ({ assert }) => {
    assert.isTrue(isValidVatNumber('DE123456789'))
    assert.isTrue(isValidVatNumber('IE6388047V'))
    assert.isFalse(isValidVatNumber('D1'))
  })

  test('normalises spacing and case', ({ assert }) => {
    assert.equal(normaliseVatNumber(' gb 123-456.782 '), 'GB123456782')
  })
})
