import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { importStatement, allocateLine, ignoreLine, saveProfile } from '#payments/bank_import'
import { invoiceBalances, accountCredit } from '#payments/balances'
import { StatementCsvError } from '#payments/statement_csv'
import { customerWithInvoices } from './support.js'

const count = async (table: string) => Number((await db.from(table).count('* as n').first()).n)

async function barclaysProfile() {
  return saveProfile({
    name: 'Barclays',
    dateColumn: 'Date',
    amountColumn: 'Amount',
    referenceColumn: 'Memo',
    descriptionColumn: 'Subcategory',
    dateFormat: 'dd/MM/yyyy',
  })
}

test.group('payments: bank statement import', (group) => {
  group.each.setup(() => truncateAll())

  test('matched lines become payments, the rest wait in the queue; the same file twice adds nothing', async ({
    assert,
  }) => {
    await barclaysProfile()
    const { customer, invoices } = await customerWithInvoices()
    const [sept, oct, nov] = invoices
    const csv = [
      'Number,Date,Account,Amount,Subcategory,Memo',
      `,03/11/2026,20-00-00 1234,120.00,Bank credit,${sept.number} ACME LTD`,
      `,04/11/2026,20-00-00 1234,"£600.50",Bank credit,PAY ${oct.number} ${nov.number}`,
      ',05/11/2026,20-00-00 1234,99.99,Bank credit,UNKNOWN PAYER',
      `,05/11/2026,20-00-00 1234,10.00,Bank credit,${oct.number} part`,
      ',06/11/2026,20-00-00 1234,-45.00,Direct debit,ELECTRICITY',
      ',05/11/2026,20-00-00 1234,99.99,Bank credit,UNKNOWN PAYER',
    ].join('\r\n')
    const first = await importStatement({ text: csv, filename: 'nov.csv', profile: 'Barclays' })
    assert.include(first, {
      lines: 6,
      newLines: 6,
      duplicates: 0,
      matched: 2,
      unmatched: 3,
      ignored: 1,
    })
    const balances = new Map(
      (await invoiceBalances({ customerIds: [customer.id] })).map((b) => [b.id, b])
    )
    assert.equal(balances.get(sept.id)!.status, 'paid')
    assert.equal(balances.get(oct.id)!.status, 'paid')
    assert.equal(balances.get(nov.id)!.status, 'paid', 'one line naming two invoices settles both')
    assert.equal(await count('payments'), 2)

    const again = await importStatement({
      text: csv,
      filename: 'nov-again.csv',
      profile: 'Barclays',
    })
    assert.include(again, { lines: 6, newLines: 0, duplicates: 6, matched: 0, unmatched: 0 })
    assert.equal(await count('payments'), 2)
    assert.equal(await count('bank_statement_lines'), 6)

    // The queue: one is the customer's (allocated by hand, kept as credit), one is not a payment.
    const queue = await db.from('bank_statement_lines').where('status', 'unmatched').orderBy('id')
    assert.lengthOf(queue, 3)
    const payment = await allocateLine(queue[0].id, { customerId: customer.id, allocations: [] })
    assert.equal(payment.amountMinor, 9999)
    assert.equal((await accountCredit(customer.id)).unallocatedPaymentsMinor, 9999)
    await assert.rejects(
      () => allocateLine(queue[0].id, { customerId: customer.id, allocations: [] }),
      /already allocated/
    )
    await ignoreLine(queue[1].id)
    assert.equal(await count('payments'), 3)
  })

  test('a statement with a missing column or a bad amount/date is refused with line and field; nothing written', async ({
    assert,
  }) => {
    await barclaysProfile()
    await customerWithInvoices()
    const wrongColumns = 'Date,Value,Memo\n03/11/2026,1.00,X\n'
    const e1 = (await importStatement({
      text: wrongColumns,
      filename: 'wrong.csv',
      profile: 'Barclays',
    }).catch((e) => e)) as StatementCsvError
    assert.instanceOf(e1, StatementCsvError)
    assert.match(e1.message, /^wrong\.csv: line 1, Amount: no column "Amount"/)
    assert.deepEqual(
      e1.problems.map((p) => p.field),
      ['Amount', 'Subcategory']
    )

    const badValues = [
      'Date,Amount,Subcategory,Memo',
      '03/11/2026,12.00,Credit,OK',
      '31/02/2026,12.00,Credit,Bad date',
      '04/11/2026,12.3.4,Credit,Bad amount',
      '05/11/2026,1.234,Credit,Too many decimals',
    ].join('\n')
    const e2 = (await importStatement({
      text: badValues,
      filename: 'bad.csv',
      profile: 'Barclays',
    }).catch((e) => e)) as StatementCsvError
    assert.deepEqual(
      e2.problems.map((p) => [p.line, p.field]),
      [
        [3, 'Date'],
        [4, 'Amount'],
        [5, 'Amount'],
      ]
    )
    assert.match(
      e2.message,
      /^bad\.csv: line 3, Date: "31\/02\/2026" is not a date in the format dd\/MM\/yyyy \(and 2 more\)/
    )
    assert.equal(await count('bank_statement_imports'), 0)
    assert.equal(await count('bank_statement_lines'), 0)
    assert.equal(await count('payments'), 0)
  })
})
